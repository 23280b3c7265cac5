package dev.lifeboat.notify;

import dev.lifeboat.crypto.WebhookSignature;
import dev.lifeboat.job.FollowUps;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.HookServer;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backup;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks (the test webhook "test" posts to HookServer's /notify, signed with HookServer.SECRET) and
 * anomaly detection (a table losing 10 % of its rows is flagged, 1 % is not).
 */
@QuarkusTest
class NotificationTest {

    @BeforeEach
    void reset() {
        HookServer.reset();
    }

    static Optional<HookServer.Call> delivery(String event, String mentioning) {
        return HookServer.CALLS.stream().filter(c -> c.path().equals("/notify") && c.body().contains("\"event\":\"" + event + "\"")
                && c.body().contains(mentioning)).findFirst();
    }

    @Test
    void aFailedJobIsPostedSignedWithTheSecret() {
        JsonPath failed = backup("nodb"); // an unknown database fails at once
        assertThat(failed.getString("status")).isEqualTo("failed");
        String jobId = failed.getString("id");
        HookServer.Call call = await().atMost(Duration.ofSeconds(30)).until(() -> delivery("job.failed", jobId), Optional::isPresent).get();

        long timestamp = Long.parseLong(call.timestamp());
        assertThat(timestamp).isCloseTo(java.time.Instant.now().getEpochSecond(), org.assertj.core.data.Offset.offset(300L));
        String expected = WebhookSignature.sign(HookServer.SECRET, timestamp, call.body().getBytes(StandardCharsets.UTF_8));
        assertThat(call.signature()).isEqualTo(expected);
        assertThat(call.signature()).isNotEqualTo(WebhookSignature.sign("another secret", timestamp, call.body().getBytes(StandardCharsets.UTF_8)))
                .as("a replayed body with another timestamp does not match")
                .isNotEqualTo(WebhookSignature.sign(HookServer.SECRET, timestamp + 1, call.body().getBytes(StandardCharsets.UTF_8)));
        JsonPath body = new JsonPath(call.body());
        assertThat(body.getString("target")).isEqualTo("nodb");
        assertThat(body.getString("job.kind")).isEqualTo("backup");
        assertThat(body.getString("job.status")).isEqualTo("failed");
        assertThat(body.getString("message")).startsWith("Lifeboat: the backup of nodb failed: ").contains("lifeboat_no_such_db");
        assertThat(call.body()).doesNotContain(TargetDbs.PASSWORD).doesNotContain(HookServer.SECRET);
    }

    @jakarta.inject.Inject
    FollowUps followUps;

    @Test
    void aFinishedJobNobodyHeardIsNotifiedByTheReconcilePassAndNothingTwice() throws Exception {
        // A restore that failed while no replica was listening: a row with no NOTIFY ever sent.
        java.util.UUID id = java.util.UUID.randomUUID();
        PgTestDb.execIn("lifeboat_test", "INSERT INTO job (id, kind, target, state, args, error, attempt, max_attempts, run_at,"
                + " created_at, started_at, finished_at) VALUES ('" + id + "', 'restore', 'store', 'failed', '{}',"
                + " 'the replica died', 3, 3, now(), now(), now(), now())");
        assertThat(followUps.reconcile(Instant.now().minus(Duration.ofMinutes(15))).looked()).isPositive();
        await().atMost(Duration.ofSeconds(30)).until(() -> delivery("job.failed", id.toString()), Optional::isPresent);
        followUps.reconcile(Instant.now().minus(Duration.ofMinutes(15)));
        assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM job WHERE kind = 'notify' AND args->>'jobId' = '" + id + "'"))
                .as("the second pass queued no second delivery").isEqualTo(1);
        assertThat(HookServer.CALLS.stream().filter(c -> c.path().equals("/notify") && c.body().contains(id.toString()))).hasSize(1);
    }

    @Test
    void aFailingReceiverIsRetriedAndNeverHoldsUpBackups() throws Exception {
        TargetDbs.recreateShop();
        HookServer.NOTIFY_STATUS.set(500);
        String failedJob = backup("nodb").getString("id");
        long t0 = System.nanoTime();
        JsonPath ok = backup("shop");
        assertThat(ok.getString("status")).isEqualTo("succeeded");
        assertThat((System.nanoTime() - t0) / 1e9).as("a backup while the receiver fails").isLessThan(30);
        // The delivery was tried, answered 500, and is retried with backoff.
        await().atMost(Duration.ofSeconds(30)).until(() -> HookServer.CALLS.stream()
                .filter(c -> c.path().equals("/notify") && c.body().contains(failedJob)).count() >= 2);
        JsonPath notify = as(VIEWER).get("/api/v1/jobs?kind=notify&limit=50").jsonPath();
        List<Map<String, Object>> mine = notify.<Map<String, Object>>getList("items").stream()
                .filter(j -> failedJob.equals(((Map<?, ?>) j.get("args")).get("jobId"))).toList();
        assertThat(mine).hasSize(1);
        assertThat(String.valueOf(mine.get(0).get("error"))).contains("answered HTTP 500");
        // Once the receiver is back, a retry delivers it.
        HookServer.NOTIFY_STATUS.set(204);
        String id = String.valueOf(mine.get(0).get("id"));
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            JsonPath j = as(VIEWER).get("/api/v1/jobs/" + id).jsonPath();
            return List.of("succeeded", "failed").contains(j.getString("status"));
        });
    }

    @Test
    void aTableLosingTenPercentOfItsRowsIsAnAnomalyAndOnePercentIsNot() throws Exception {
        TargetDbs.recreateShop();
        PgTestDb.execIn(TargetDbs.SHOP, "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE follows (id int PRIMARY KEY)",
                "INSERT INTO follows SELECT g FROM generate_series(1, 2000) g");
        assertThat(backup("shop").getList("result.warnings")).isEmpty();

        PgTestDb.execIn(TargetDbs.SHOP, "DELETE FROM follows WHERE id <= 20"); // 1 %
        JsonPath quiet = backup("shop");
        assertThat(quiet.getList("result.warnings")).isEmpty();

        PgTestDb.execIn(TargetDbs.SHOP, "DELETE FROM follows WHERE id <= 218"); // 1,980 -> 1,782: 10 %
        JsonPath flagged = backup("shop");
        assertThat(flagged.getString("status")).isEqualTo("succeeded");
        List<String> warnings = flagged.getList("result.warnings", String.class);
        assertThat(warnings).singleElement().asString().contains("public.follows").contains("1,782 rows").contains("10.0 %");
        String backupId = flagged.getString("result.backupId");
        assertThat(as(VIEWER).get("/api/v1/backups/" + backupId).jsonPath().getList("warnings")).isEqualTo(warnings);

        HookServer.Call call = await().atMost(Duration.ofSeconds(30))
                .until(() -> delivery("anomaly.detected", backupId), Optional::isPresent).get();
        assertThat(call.body()).contains("public.follows");
        String metrics = io.restassured.RestAssured.get("/q/metrics").asString();
        assertThat(metrics).containsPattern("lifeboat_backup_anomalies_total\\{target=\"shop\"\\} [1-9]");
    }
}
