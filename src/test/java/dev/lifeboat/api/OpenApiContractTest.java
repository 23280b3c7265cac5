package dev.lifeboat.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    /** What a reader of Swagger UI sees: examples that work against the local demo and say what really comes back. */
    @Test
    void examplesWorkAgainstTheLocalDemoAndShowRealResponses() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(RestAssured.given().queryParam("format", "json").get("/q/openapi").then()
                .statusCode(200).extract().asString());
        List<String> requestExamples = new ArrayList<>();
        doc.get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            JsonNode body = op.getValue().path("requestBody").path("content").path("application/json");
            if (!body.isMissingNode()) {
                assertThat(body.path("examples").size()).as(op.getKey() + " " + path.getKey() + " has request examples").isPositive();
                body.path("examples").forEach(e -> requestExamples.add(e.path("value").toString()));
            }
        }));
        assertThat(requestExamples).isNotEmpty().allSatisfy(e -> {
            assertThat(e).doesNotContain("mastodon");
            if (e.contains("\"target\"")) {
                assertThat(e).contains("\"target\":\"demo\"");
            }
        });
        // Each shared error response shows a body of its own status, not one 422 for all.
        doc.get("components").get("responses").properties().forEach(r -> {
            JsonNode examples = r.getValue().path("content").path(Problem.MEDIA_TYPE).path("examples");
            assertThat(examples.size()).as(r.getKey() + " has an example").isPositive();
            String status = examples.elements().next().path("value").path("status").asText();
            assertThat(r.getValue().path("description").asText()).isNotBlank();
            assertThat(Problem.title(Integer.parseInt(status))).isEqualTo(examples.elements().next().path("value").path("title").asText());
        });
        assertThat(doc.at("/components/responses/Unauthorized/content/application~1problem+json/examples/Unauthorized/value/status").asInt())
                .isEqualTo(401);
        assertThat(doc.at("/components/responses/Forbidden/content/application~1problem+json/examples/Forbidden/value/status").asInt())
                .isEqualTo(403);
        assertThat(doc.at("/components/responses/BadRequest/content/application~1problem+json/examples/BadRequest/value/status").asInt())
                .isEqualTo(400);
        // Free-form objects carry an example (Swagger UI would otherwise invent additionalProp1), counts are real.
        doc.get("components").get("schemas").properties().forEach(schema -> schema.getValue().path("properties").properties().forEach(p -> {
            JsonNode prop = p.getValue();
            if ("object".equals(prop.path("type").asText()) && !prop.has("properties") && !prop.has("$ref")) {
                assertThat(prop.has("examples") || prop.has("example")).as(schema.getKey() + "." + p.getKey() + " has an example").isTrue();
            }
        }));
        assertThat(doc.at("/components/schemas/Job/properties/maxAttempts/examples/0").asInt()).isPositive();
        // Descriptions are Markdown in Swagger UI: a bare <id> would vanish as an HTML tag.
        List<String> descriptions = new ArrayList<>();
        doc.findValues("description").forEach(d -> descriptions.add(d.asText()));
        assertThat(descriptions).isNotEmpty().allSatisfy(d -> assertThat(d.replaceAll("`[^`]*`", "")).doesNotContain("<").doesNotContain(">"));
        assertThat(doc.at("/components/securitySchemes/bearer/description").asText()).contains("data/dev/admin-token");
    }

    @Test
    void contractDeclaresBearerAuthAndProblemResponses() throws Exception {
        String committed = Files.readString(COMMITTED);
        assertThat(committed).contains("scheme: bearer").contains("application/problem+json")
                .contains("/api/v1/jobs/{id}/cancel").contains("/api/v1/restores").contains("/api/v1/drills");
    }
}
