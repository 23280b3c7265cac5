package dev.lifeboat.retention;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.HookServer;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Vivaldi Social story: a table loses 90 % of its rows, routine backups and keep-last retention
 * go on. The newest backup from before the loss is pinned the moment the anomalous backup exists,
 * retention keeps it however many backups follow, the catalog and the retention preview say why, and
 * the webhook says so. It goes only when an admin unpins it (or deletes it with force).
 */
@QuarkusTest
class AnomalyProtectionTest {
    static final String DB = "lifeboat_wiped";
    static final Path LOCAL_ROOT = Path.of("target/test-backups");

    @BeforeEach
    void database() throws Exception {
        HookServer.reset();
        TargetDbs.ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)", "CREATE DATABASE " + DB + " OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn(DB, "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE accounts (id bigint PRIMARY KEY, username text NOT NULL)",
                "INSERT INTO accounts SELECT g, 'user' || g FROM generate_series(1, 20000) g");
    }

    static int prunes() {
        return as(VIEWER).get("/api/v1/jobs?kind=prune&target=wiped&limit=500").jsonPath().getList("items").size();
    }

    /** A backup of "wiped" and the prune that follows it (keep-last 2). */
    static String backupAndPrune() {
        int before = prunes();
        String id = backupSucceeds("wiped").getString("result.backupId");
        await().atMost(Duration.ofSeconds(30)).until(() -> prunes() == before + 1);
        String prune = as(VIEWER).get("/api/v1/jobs?kind=prune&target=wiped&limit=1").jsonPath().getString("items[0].id");
        assertThat(awaitJob(prune).getString("status")).isEqualTo("succeeded");
        return id;
    }

    @Test
    void theLastBackupBeforeADataLossIsPinnedAndOutlivesRetention() throws Exception {
        String beforeWipe = backupAndPrune();
        PgTestDb.execIn(DB, "DELETE FROM accounts WHERE id % 10 <> 0"); // 90 % gone
        JsonPath anomalous = backupSucceeds("wiped");
        String afterWipe = anomalous.getString("result.backupId");
        assertThat(anomalous.getList("result.warnings", String.class)).anySatisfy(w -> assertThat(w).contains("public.accounts").contains("90.0 %"));
        assertThat(anomalous.getString("result.pinned")).isEqualTo(beforeWipe);

        // More backups than keep-last, each followed by a prune.
        for (int i = 0; i < 3; i++) {
            backupAndPrune();
        }
        List<String> catalog = as(VIEWER).get("/api/v1/backups?target=wiped&limit=100").jsonPath().getList("items.id");
        assertThat(catalog).contains(beforeWipe).doesNotContain(afterWipe);
        JsonPath kept = as(VIEWER).get("/api/v1/backups/" + beforeWipe).jsonPath();
        assertThat(kept.getBoolean("pinned")).isTrue();
        assertThat(kept.getString("pinnedReason")).startsWith("automatically: the newest backup before " + afterWipe).contains("public.accounts");
        assertThat(LOCAL_ROOT.resolve(kept.getString("locations[0].key"))).exists();
        JsonPath preview = as(VIEWER).get("/api/v1/targets/wiped/retention").jsonPath();
        assertThat(preview.getList("backups.find { it.backupId == '" + beforeWipe + "' }.reasons", String.class))
                .anySatisfy(r -> assertThat(r).startsWith("pinned automatically: the newest backup before " + afterWipe));

        // The webhook said so.
        Optional<HookServer.Call> call = await().atMost(Duration.ofSeconds(30)).until(() -> HookServer.CALLS.stream()
                .filter(c -> c.path().equals("/notify") && c.body().contains("\"event\":\"anomaly.detected\"") && c.body().contains(afterWipe))
                .findFirst(), Optional::isPresent);
        assertThat(call.get().body()).contains("\"pinned\":\"" + beforeWipe + "\"").contains("is pinned: retention keeps it");

        // Pinned: a plain DELETE is refused; once an admin unpins it, the next prune lets it go.
        as(ADMIN).delete("/api/v1/backups/" + beforeWipe).then().statusCode(409).contentType("application/problem+json");
        as(ADMIN).post("/api/v1/backups/" + beforeWipe + "/unpin").then().statusCode(200);
        backupAndPrune();
        assertThat(as(VIEWER).get("/api/v1/backups?target=wiped&limit=100").jsonPath().getList("items.id", String.class))
                .doesNotContain(beforeWipe);
    }

    @Test
    void deleteRefusesABackupAQueuedJobUsesUnlessForced() {
        String id = backupAndPrune();
        // A verify waiting to run (far in the future, so that no worker takes it during the test).
        UUID verify = UUID.randomUUID();
        try {
            PgTestDb.execIn("lifeboat_test", "INSERT INTO job (id, kind, target, state, args, max_attempts, run_at, created_at)"
                    + " VALUES ('" + verify + "', 'verify', 'wiped', 'queued', '{\"backupId\": \"" + id + "\"}', 3,"
                    + " now() + interval '1 day', now())");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        as(ADMIN).delete("/api/v1/backups/" + id).then().statusCode(409).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("in use"));
        as(ADMIN).delete("/api/v1/backups/" + id + "?force=maybe").then().statusCode(400);
        as(ADMIN).delete("/api/v1/backups/" + id + "?force=true").then().statusCode(204);
        as(ADMIN).post("/api/v1/jobs/" + verify + "/cancel").then().statusCode(200);
    }
}
