package dev.lifeboat.restore;

import dev.lifeboat.job.JobQueue;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.Db;
import dev.lifeboat.support.HookServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.lifeboat.restore.RestoreTest.STORE;
import static dev.lifeboat.restore.RestoreTest.count;
import static dev.lifeboat.restore.RestoreTest.databasesLike;
import static dev.lifeboat.restore.RestoreTest.recreateStore;
import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A live database never stays fenced, and an application stopped by the pre-restore hook is always
 * started again: hooks come in pairs, every fence is recorded, and the maintenance pass lifts the
 * fence of a restore that is no longer running, unless a live session still holds it.
 */
@QuarkusTest
class FenceAndHookSafetyTest {
    @Inject
    ScratchSweeper sweeper;
    @Inject
    Fences fences;
    @Inject
    Db db;
    @Inject
    JobQueue queue;

    @BeforeEach
    void reset() throws Exception {
        HookServer.reset();
        for (String d : databasesLike(STORE + "\\_before\\_%")) {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + d + " WITH (FORCE)");
        }
    }

    @Test
    void aReplaceCancelledAfterThePreRestoreHookCallsThePostRestoreHookWithOutcomeCancelled() throws Exception {
        recreateStore();
        String id = backupId("store");
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) VALUES ('newer')");
        String[] jobId = new String[1];
        HookServer.onPre = call -> {
            // While the application is being stopped, an operator cancels the restore.
            as(OPERATOR).post("/api/v1/jobs/" + jobId[0] + "/cancel").then().statusCode(202);
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
        };
        Response r = as(ADMIN).body(Map.of("backupId", id, "mode", "replace", "confirm", "store")).post("/api/v1/restores");
        jobId[0] = r.jsonPath().getString("id");
        JsonPath job = awaitJob(jobId[0]);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("cancelled");
        List<HookServer.Call> hooks = HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify")).toList();
        assertThat(hooks).extracting(HookServer.Call::path).containsExactly("/pre", "/post");
        assertThat(hooks.get(1).body()).contains("\"event\":\"restore.post\"").contains("\"outcome\":\"cancelled\"")
                .doesNotContain("keptDatabase");
        assertThat(count(STORE, "SELECT count(*) FROM accounts")).as("the live database, untouched").isEqualTo(1001);
        assertThat(databasesLike(STORE + "\\_before\\_%")).isEmpty();
    }

    @Test
    void aSuccessfulReplaceTellsThePostRestoreHookItSwapped() throws Exception {
        recreateStore();
        String id = backupId("store");
        JsonPath job = awaitJob(as(ADMIN).body(Map.of("backupId", id, "mode", "replace", "confirm", "store"))
                .post("/api/v1/restores").jsonPath().getString("id"));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        List<HookServer.Call> hooks = HookServer.CALLS.stream().filter(c -> c.path().equals("/post")).toList();
        assertThat(hooks).singleElement().satisfies(c -> {
            assertThat(c.body()).contains("\"outcome\":\"swapped\"");
            // signed like webhook notifications, with the target's hooks.secret
            assertThat(c.signature()).isEqualTo(dev.lifeboat.crypto.WebhookSignature.sign(HookServer.SECRET, Long.parseLong(c.timestamp()),
                    c.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        });
        // The fence was recorded and lifted by the restore itself.
        assertThat(db.value("SELECT lifted_by FROM fence WHERE job_id = ?", UUID.fromString(job.getString("id")))).isEqualTo("restore");
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + job.getString("result.keptDatabase") + " WITH (FORCE)");
    }

    @Test
    void aNewDatabaseRestoreWhoseSuccessWasNeverRecordedIsFoundDoneByTheNextAttempt() throws Exception {
        recreateStore();
        String id = backupId("store");
        String database = "lbt_retried_" + UUID.randomUUID().toString().substring(0, 8);
        try {
            String jobId = as(ADMIN).body(Map.of("backupId", id, "database", database)).post("/api/v1/restores").jsonPath().getString("id");
            assertThat(awaitJob(jobId).getString("status")).isEqualTo("succeeded");
            PgTestDb.execIn(database, "CREATE TABLE written_after_the_restore (x int)");

            JsonPath job = rerunAsIfTheReplicaDiedBeforeRecordingSuccess(jobId);

            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
            assertThat(job.getInt("attempt")).isEqualTo(2);
            assertThat(job.getList("result.warnings", String.class)).anyMatch(w -> w.contains("an earlier attempt of this job restored"));
            assertThat(count(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'written_after_the_restore'"))
                    .as("the database was not restored again").isEqualTo(1);
            assertThat(count(database, "SELECT count(*) FROM accounts")).isEqualTo(1000);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    void aReplaceWhoseSuccessWasNeverRecordedIsFoundSwappedAndTheApplicationStartedAgain() throws Exception {
        recreateStore();
        String id = backupId("store");
        String jobId = as(ADMIN).body(Map.of("backupId", id, "mode", "replace", "confirm", "store")).post("/api/v1/restores")
                .jsonPath().getString("id");
        JsonPath first = awaitJob(jobId);
        assertThat(first.getString("status")).as(first.prettify()).isEqualTo("succeeded");
        String kept = first.getString("result.keptDatabase");
        // The earlier attempt died between the swap and its un-fence: the kept database still refuses connections.
        PgTestDb.execIn("lifeboat_test", "ALTER DATABASE " + kept + " WITH ALLOW_CONNECTIONS false");
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) VALUES ('after the swap')");
        HookServer.reset();
        try {
            JsonPath job = rerunAsIfTheReplicaDiedBeforeRecordingSuccess(jobId);

            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
            assertThat(job.getString("result.keptDatabase")).isEqualTo(kept);
            assertThat(job.getString("result.postRestoreHook")).isEqualTo("ok");
            assertThat(count(STORE, "SELECT count(*) FROM accounts")).as("not swapped a second time").isEqualTo(1001);
            assertThat(allowsConnections(kept)).isTrue();
            assertThat(databasesLike(STORE + "\\_before\\_%")).containsExactly(kept);
            List<HookServer.Call> hooks = HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify")).toList();
            assertThat(hooks).extracting(HookServer.Call::path).as("the application is started again, never stopped again")
                    .containsExactly("/post");
            assertThat(hooks.get(0).body()).contains("\"outcome\":\"swapped\"");
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + kept + " WITH (FORCE)");
        }
    }

    /**
     * Puts a succeeded job back to how a killed replica leaves it: running, its success not recorded,
     * its lease run out. The rescuer queues it again, and a worker runs attempt 2.
     */
    private JsonPath rerunAsIfTheReplicaDiedBeforeRecordingSuccess(String jobId) {
        UUID id = UUID.fromString(jobId);
        assertThat(db.update("UPDATE job SET state = 'running', result = NULL, finished_at = NULL, progress = NULL,"
                + " locked_by = 'killed-replica/1/0', lease_expires_at = now() - interval '1 minute' WHERE id = ?", id)).isEqualTo(1);
        assertThat(queue.rescueExpired(Instant.now())).extracting(JobQueue.Rescued::id).contains(id);
        await().atMost(Duration.ofSeconds(60)).until(() -> !"queued".equals(db.value("SELECT state FROM job WHERE id = ?", id))
                && !"running".equals(db.value("SELECT state FROM job WHERE id = ?", id)));
        return awaitJob(jobId);
    }

    @Test
    void theMaintenancePassReopensADatabaseFencedByARestoreThatIsNoLongerRunning() throws Exception {
        String victim = "lbt_fenced_" + UUID.randomUUID().toString().substring(0, 8);
        PgTestDb.execIn("lifeboat_test", "CREATE DATABASE " + victim + " OWNER lifeboat_shop",
                "ALTER DATABASE " + victim + " WITH ALLOW_CONNECTIONS false");
        try {
            // A restore job of this installation that died mid-swap: its fence is recorded, the job failed.
            UUID job = UUID.randomUUID();
            db.update("INSERT INTO job (id, kind, target, state, args, error, attempt, max_attempts, run_at, created_at, started_at,"
                    + " finished_at) VALUES (?, 'restore', 'store', 'failed', '{}', 'killed', 3, 3, now(), now(), now(), now())", job);
            fences.fencing(job, "store", victim, victim + "_before_x");

            // While a live session holds the fence (an attempt cut off from Lifeboat's database), it is left alone.
            try (Connection holder = PgTestDb.connect("postgres")) {
                assertThat(ServerLock.tryTake(holder, ServerLock.fence(victim))).isTrue();
                sweeper.liftAbandonedFences();
                assertThat(allowsConnections(victim)).isFalse();
            }
            assertThat(sweeper.liftAbandonedFences()).isGreaterThanOrEqualTo(1);
            assertThat(allowsConnections(victim)).isTrue();
            assertThat(db.value("SELECT lifted_by FROM fence WHERE job_id = ?", job)).isEqualTo("maintenance pass");
            assertThat(fences.open()).noneMatch(f -> f.jobId().equals(job));
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + victim + " WITH (FORCE)");
        }
    }

    static boolean allowsConnections(String database) throws Exception {
        return count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + database + "' AND datallowconn") == 1;
    }
}
