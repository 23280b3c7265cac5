package dev.lifeboat.backup;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupId;
import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/** Losing Lifeboat's catalog loses no backup: the manifests in the storages bring every row back. */
@QuarkusTest
class CatalogRebuildTest {

    static JsonPath rebuild() {
        Response r = as(ADMIN).post("/api/v1/catalog/rebuild");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        JsonPath job = awaitJob(r.jsonPath().getString("id"));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        return job;
    }

    @Test
    void afterTheCatalogIsWipedTheRebuildListsTheSameBackups() throws Exception {
        TargetDbs.recreateShop();
        List<String> ids = List.of(backupId("shop"), backupId("shop")); // each on local and S3
        Map<String, Object> before = as(VIEWER).get("/api/v1/backups/" + ids.get(0)).jsonPath().getMap("");
        Map<String, Object> before2 = as(VIEWER).get("/api/v1/backups/" + ids.get(1)).jsonPath().getMap("");

        PgTestDb.execIn("lifeboat_test", "DELETE FROM backup"); // Lifeboat's database lost its catalog
        as(VIEWER).get("/api/v1/backups/" + ids.get(0)).then().statusCode(404);

        JsonPath job = rebuild();
        assertThat(job.getInt("result.created")).isGreaterThanOrEqualTo(2);
        for (Map<String, Object> b : List.of(before, before2)) {
            Map<String, Object> after = as(VIEWER).get("/api/v1/backups/" + b.get("id")).then().statusCode(200).extract().jsonPath().getMap("");
            for (String field : List.of("id", "target", "createdAt", "format", "compression", "archiveBytes", "sizeBytes", "sha256", "encrypted", "serverVersion",
                    "rowCounts", "status")) {
                assertThat(after.get(field)).as(field).isEqualTo(b.get(field));
            }
            assertThat(((List<?>) after.get("locations")).size()).as("one location per storage").isEqualTo(2);
        }
        List<String> listed = as(VIEWER).get("/api/v1/backups?target=shop&limit=100").jsonPath().getList("items.id");
        assertThat(listed).containsAll(ids);

        // A drill works on a rebuilt row: it is a real catalog entry.
        Response d = as(OPERATOR).body(Map.of("target", "shop", "backupId", ids.get(1))).post("/api/v1/drills");
        assertThat(awaitJob(d.jsonPath().getString("id")).getBoolean("result.passed")).isTrue();

        // Idempotent: a second rebuild creates nothing and changes nothing.
        JsonPath again = rebuild();
        assertThat(again.getInt("result.created")).isZero();
        assertThat(again.getInt("result.existing")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void onlyAdminsRebuild() {
        as(OPERATOR).post("/api/v1/catalog/rebuild").then().statusCode(403).contentType("application/problem+json");
    }
}
