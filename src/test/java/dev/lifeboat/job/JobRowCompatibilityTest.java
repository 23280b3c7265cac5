package dev.lifeboat.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.BackupArgs;
import dev.lifeboat.backup.BackupResult;
import dev.lifeboat.backup.CatalogRebuildArgs;
import dev.lifeboat.backup.CatalogRebuildResult;
import dev.lifeboat.backup.VerifyArgs;
import dev.lifeboat.backup.VerifyResult;
import dev.lifeboat.drill.DrillArgs;
import dev.lifeboat.drill.DrillResult;
import dev.lifeboat.notify.NotifyArgs;
import dev.lifeboat.notify.NotifyResult;
import dev.lifeboat.restore.RestoreArgs;
import dev.lifeboat.restore.RestoreMode;
import dev.lifeboat.restore.RestoreResult;
import dev.lifeboat.retention.PruneArgs;
import dev.lifeboat.retention.PruneResult;
import dev.lifeboat.support.Db;
import dev.lifeboat.support.HookServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Job rows written by Lifeboat 0.1 (before typed jobs), copied from a real test run into
 * fixtures/job-rows-0.1.json, still load after the upgrade: every kind's arguments and result read as
 * its records, write back as the same JSON (so the API shows the same, and a repeated Idempotency-Key
 * of an old job still finds it), and nothing is lost on the way.
 */
@QuarkusTest
class JobRowCompatibilityTest {
    record Types(Class<? extends JobArgs> args, Class<?> result) {
    }

    static final Map<String, Types> TYPES = Map.of(
            "backup", new Types(BackupArgs.class, BackupResult.class),
            "catalog_rebuild", new Types(CatalogRebuildArgs.class, CatalogRebuildResult.class),
            "drill", new Types(DrillArgs.class, DrillResult.class),
            "notify", new Types(NotifyArgs.class, NotifyResult.class),
            "prune", new Types(PruneArgs.class, PruneResult.class),
            "restore", new Types(RestoreArgs.class, RestoreResult.class),
            "verify", new Types(VerifyArgs.class, VerifyResult.class));

    @Inject
    JobQueue queue;
    @Inject
    ObjectMapper json;
    @Inject
    Db db;

    @Test
    void rowsOfEveryKindWrittenByTheEarlierVersionLoadAsRecordsAndWriteBackUnchanged() throws Exception {
        JsonNode rows;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/job-rows-0.1.json")) {
            rows = json.readTree(in);
        }
        assertThat(rows).hasSizeGreaterThanOrEqualTo(TYPES.size());
        for (JsonNode row : rows) {
            String kind = row.get("kind").asText();
            Types types = TYPES.get(kind);
            assertThat(types).as("a record pair for kind " + kind).isNotNull();
            Job job = insertOld(row);

            // Arguments: the record, and back to exactly the JSON that was stored.
            JobArgs args = queue.args(job, types.args());
            assertThat(args.kind()).isEqualTo(kind);
            assertThat(sameJson(json.valueToTree(args), row.get("args"))).as(kind + " args " + json.valueToTree(args) + " vs " + row.get("args")).isTrue();
            JobQueue.Enqueued again = queue.enqueue(new NewJob(args, job.target, job.idempotencyKey));
            assertThat(again.created()).as("the old job's Idempotency-Key with the same arguments finds it").isFalse();
            assertThat(again.job().id).isEqualTo(job.id);

            // Result: the record, and back to the same JSON (what GET /api/v1/jobs/{id} shows).
            Object result = queue.result(job, types.result()).orElseThrow();
            assertThat(sameJson(json.valueToTree(result), row.get("result"))).as(kind + " result " + json.valueToTree(result) + " vs " + row.get("result")).isTrue();
        }
    }

    @Test
    void theRecordsCarryTheOldValues() throws Exception {
        JsonNode rows;
        try (InputStream in = getClass().getResourceAsStream("/fixtures/job-rows-0.1.json")) {
            rows = json.readTree(in);
        }
        for (JsonNode row : rows) {
            Job job = insertOld(row);
            switch (job.kind) {
                case "restore" -> {
                    RestoreArgs a = queue.args(job, RestoreArgs.class);
                    assertThat(a.backupId()).isEqualTo(UUID.fromString(row.at("/args/backupId").asText()));
                    assertThat(a.mode()).isEqualTo(RestoreMode.parse(row.at("/args/mode").asText()).orElseThrow());
                    assertThat(a.applyGlobals()).isEqualTo(row.at("/args/globals").asBoolean(false));
                    if (row.at("/args/tables").isArray()) {
                        assertThat(a.selection().tables()).containsExactly("accounts");
                        assertThat(a.selection().schemas()).containsExactly("audit");
                    }
                }
                case "backup" -> {
                    BackupResult r = queue.result(job, BackupResult.class).orElseThrow();
                    assertThat(r.sizeBytes()).isEqualTo(row.at("/result/sizeBytes").asLong());
                    assertThat(r.warnings()).hasSize(row.at("/result/warnings").size());
                    assertThat(r.millis().preflight()).isEqualTo(row.at("/result/millis/preflight").asLong());
                }
                case "drill" -> {
                    DrillResult r = queue.result(job, DrillResult.class).orElseThrow();
                    assertThat(r.passed()).isEqualTo(row.at("/result/passed").asBoolean());
                    assertThat(r.restoreSeconds() == null).isEqualTo(row.at("/result/restoreSeconds").isNull());
                    assertThat(r.checks()).hasSize(row.at("/result/checks").size());
                }
                case "notify" -> {
                    NotifyArgs a = queue.args(job, NotifyArgs.class);
                    assertThat(a.jobId()).isEqualTo(UUID.fromString(row.at("/args/jobId").asText()));
                    assertThat(a.warnings() == null).isEqualTo(row.at("/args/warnings").isMissingNode());
                    assertThat(a.channel()).as("rows of 0.1 name only a webhook").isNull();
                    assertThat(a.channelId()).isEqualTo("webhook");
                    assertThat(a.recipient()).isEqualTo(row.at("/args/webhook").asText());
                }
                default -> {
                }
            }
        }
    }

    @Test
    void aNotifyRowQueuedByTheEarlierVersionIsDeliveredAsAWebhook() throws Exception {
        // A restore that failed two days ago (no follow-up runs for it now), and the delivery 0.1 queued
        // for it, with the arguments 0.1 wrote: event, jobId and webhook, no channel.
        UUID failed = UUID.randomUUID();
        db.update("INSERT INTO job (id, kind, target, state, args, error, attempt, max_attempts, run_at, created_at, started_at, finished_at)"
                + " VALUES (?, 'restore', 'store', 'failed', '{}', 'the replica died', 3, 3, now() - interval '2 days',"
                + " now() - interval '2 days', now() - interval '2 days', now() - interval '2 days')", failed);
        UUID notify = UUID.randomUUID();
        db.update("INSERT INTO job (id, kind, state, args, attempt, max_attempts, run_at, idempotency_key, created_at)"
                        + " VALUES (?, 'notify', 'queued', CAST(? AS jsonb), 0, 3, now(), ?, now())", notify,
                "{\"event\": \"job.failed\", \"jobId\": \"" + failed + "\", \"webhook\": \"test\"}", "notify:test:job.failed:" + failed);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> "succeeded".equals(queue.find(notify).orElseThrow().state));
        assertThat(HookServer.CALLS).anyMatch(c -> c.path().equals("/notify") && c.body().contains(failed.toString())
                && c.body().contains("\"event\":\"job.failed\""));
        Job done = queue.find(notify).orElseThrow();
        JsonNode result = json.valueToTree(done.result);
        assertThat(result).isEqualTo(json.readTree("{\"webhook\": \"test\", \"event\": \"job.failed\"}"));
    }

    /** Equal JSON, numbers compared by value (a long written back may be an int read in). */
    static boolean sameJson(JsonNode a, JsonNode b) {
        return a.equals((x, y) -> x.equals(y) || x.isNumber() && y.isNumber() && x.decimalValue().compareTo(y.decimalValue()) == 0 ? 0 : 1, b);
    }

    /** Inserts a finished row as the earlier version left it (finished two days ago: no follow-up runs for it). */
    private Job insertOld(JsonNode row) throws Exception {
        UUID id = UUID.randomUUID();
        String key = "compat:" + id;
        db.update("INSERT INTO job (id, kind, target, state, args, result, attempt, max_attempts, run_at, idempotency_key,"
                        + " created_at, started_at, finished_at) VALUES (?, ?, ?, 'succeeded', CAST(? AS jsonb), CAST(? AS jsonb), 1, 3,"
                        + " now() - interval '2 days', ?, now() - interval '2 days', now() - interval '2 days', now() - interval '2 days')",
                id, row.get("kind").asText(), row.get("target").isNull() ? null : row.get("target").asText(),
                json.writeValueAsString(row.get("args")), json.writeValueAsString(row.get("result")), key);
        return queue.find(id).orElseThrow();
    }
}
