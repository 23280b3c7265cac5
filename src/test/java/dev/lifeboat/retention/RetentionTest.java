package dev.lifeboat.retention;

import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupId;
import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Retention through the API on the test target "pruned" (keep-last 2): pruning after backups, pins, drills, preview. */
@QuarkusTest
class RetentionTest {
    static final Path LOCAL_ROOT = Path.of("target/test-backups");

    @BeforeAll
    static void databases() throws Exception {
        TargetDbs.recreateShop();
    }

    static int prunes() {
        return as(VIEWER).get("/api/v1/jobs?kind=prune&target=pruned&limit=500").jsonPath().getList("items").size();
    }

    /** A backup of "pruned", and the prune that follows it (queued by a follow-up of the backup job, a moment later). */
    static String backupAndPrune() {
        int before = prunes();
        String id = backupId("pruned");
        await().atMost(Duration.ofSeconds(30)).until(() -> prunes() == before + 1);
        String prune = as(VIEWER).get("/api/v1/jobs?kind=prune&target=pruned&limit=1").jsonPath().getString("items[0].id");
        JsonPath pruned = awaitJob(prune);
        assertThat(pruned.getString("status")).as(pruned.prettify()).isEqualTo("succeeded");
        return id;
    }

    static List<String> catalog() {
        return as(VIEWER).get("/api/v1/backups?target=pruned&limit=100").jsonPath().getList("items.id");
    }

    static Path dir(String backupId) throws Exception {
        try (var files = Files.walk(LOCAL_ROOT.resolve("pruned"))) {
            return files.filter(p -> p.getFileName().toString().equals(backupId)).findFirst().orElse(null);
        }
    }

    @Test
    void eachBackupIsFollowedByAPruneThatKeepsWhatTheRulesSayAndDeletesObjectsAndRows() throws Exception {
        String pinned = backupAndPrune();
        as(VIEWER).post("/api/v1/backups/" + pinned + "/pin").then().statusCode(403);
        as(ADMIN).post("/api/v1/backups/" + pinned + "/pin").then().statusCode(200).body("pinned", org.hamcrest.Matchers.is(true));
        String drilled = backupAndPrune();
        Response d = as(OPERATOR).body(Map.of("target", "pruned", "backupId", drilled)).post("/api/v1/drills");
        assertThat(awaitJob(d.jsonPath().getString("id")).getBoolean("result.passed")).isTrue();
        String gone = backupAndPrune();
        String b4 = backupAndPrune();
        String b5 = backupAndPrune();

        // keep-last 2 keeps b5 and b4; the pin keeps the first; the passed drill keeps the second; b3 is deleted.
        assertThat(catalog()).containsExactlyInAnyOrder(b5, b4, drilled, pinned);
        assertThat(dir(gone)).as("its objects are deleted too").isNull();
        assertThat(dir(b4)).isNotNull();
        as(VIEWER).get("/api/v1/backups/" + gone).then().statusCode(404);

        JsonPath preview = as(VIEWER).get("/api/v1/targets/pruned/retention").then().statusCode(200).extract().jsonPath();
        assertThat(preview.getMap("rules")).containsEntry("keepLast", 2);
        assertThat(preview.getInt("delete")).isZero();
        assertThat(preview.getList("backups.find { it.backupId == '" + pinned + "' }.reasons", String.class)).containsExactly("pinned by an admin (token admin)");
        assertThat(preview.getList("backups.find { it.backupId == '" + drilled + "' }.reasons")).containsExactly("newest backup that passed a drill");

        // Unpinned, the first backup is what the next prune deletes; the preview says so first.
        as(ADMIN).post("/api/v1/backups/" + pinned + "/unpin").then().statusCode(200).body("pinned", org.hamcrest.Matchers.is(false));
        preview = as(VIEWER).get("/api/v1/targets/pruned/retention").jsonPath();
        assertThat(preview.getInt("delete")).isEqualTo(1);
        assertThat(preview.getBoolean("backups.find { it.backupId == '" + pinned + "' }.keep")).isFalse();
        assertThat(preview.getList("backups.find { it.backupId == '" + pinned + "' }.reasons")).containsExactly("no rule keeps it");
        Response prune = as(OPERATOR).post("/api/v1/targets/pruned/prune");
        assertThat(prune.statusCode()).isEqualTo(202);
        JsonPath job = awaitJob(prune.jsonPath().getString("id"));
        assertThat(job.getList("result.deleted")).containsExactly(pinned);
        assertThat(catalog()).containsExactlyInAnyOrder(b5, b4, drilled);
    }

    @Test
    void aPruneThatCrashedAfterDeletingObjectsIsFinishedByTheNextOne() throws Exception {
        String x = backupAndPrune();
        as(ADMIN).post("/api/v1/backups/" + x + "/pin").then().statusCode(200);
        backupAndPrune();
        backupAndPrune();
        // As if a prune had deleted x's objects and died before its catalog row.
        as(ADMIN).post("/api/v1/backups/" + x + "/unpin").then().statusCode(200);
        Path dir = dir(x);
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        assertThat(catalog()).contains(x);
        JsonPath job = awaitJob(as(OPERATOR).post("/api/v1/targets/pruned/prune").jsonPath().getString("id"));
        assertThat(job.getString("status")).isEqualTo("succeeded");
        assertThat(job.getList("result.deleted")).contains(x);
        assertThat(catalog()).doesNotContain(x);
    }

    @Test
    void pruningNeedsAnOperatorAndAKnownTarget() {
        as(VIEWER).post("/api/v1/targets/pruned/prune").then().statusCode(403);
        as(OPERATOR).post("/api/v1/targets/nope/prune").then().statusCode(404).contentType("application/problem+json");
        as(VIEWER).get("/api/v1/targets/nope/retention").then().statusCode(404).contentType("application/problem+json");
        JsonPath noRules = as(VIEWER).get("/api/v1/targets/alpha/retention").jsonPath();
        assertThat(noRules.getMap("rules")).isEmpty();
        assertThat(noRules.getInt("delete")).isZero();
    }
}
