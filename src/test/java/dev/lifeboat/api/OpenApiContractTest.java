package dev.lifeboat.api;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed contract (openapi/lifeboat.yaml) is what the service serves. When the API changes on
 * purpose, the failure message says how to update the file.
 */
@QuarkusTest
class OpenApiContractTest {
    static final Path COMMITTED = Path.of("openapi/lifeboat.yaml");
    static final Path SERVED = Path.of("target/openapi-served.yaml");

    @Test
    void servedOpenApiMatchesTheCommittedContract() throws Exception {
        String served = RestAssured.given().queryParam("format", "yaml").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        Files.createDirectories(SERVED.getParent());
        Files.writeString(SERVED, served);
        assertThat(Files.exists(COMMITTED))
                .as("openapi/lifeboat.yaml is missing. Hint: cp " + SERVED + " " + COMMITTED).isTrue();
        String committed = Files.readString(COMMITTED);
        assertThat(served)
                .as("the served OpenAPI document differs from openapi/lifeboat.yaml. If the API change is intended: cp "
                        + SERVED + " " + COMMITTED)
                .isEqualTo(committed);
    }

    @Test
    void contractDeclaresBearerAuthAndProblemResponses() throws Exception {
        String committed = Files.readString(COMMITTED);
        assertThat(committed).contains("scheme: bearer").contains("application/problem+json")
                .contains("/api/v1/jobs/{id}/cancel").contains("/api/v1/restores").contains("/api/v1/drills");
    }
}
