package dev.lifeboat.api;

import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.support.Api;
import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The audit log of mutating calls, and long polls that cost neither a worker thread nor a connection while they wait. */
@QuarkusTest
class AuditAndLongPollTest {
    @Inject
    JobQueue queue;

    @Test
    void everyMutatingCallIsAuditedWithWhoWhatAndHowItEnded() {
        Response started = Api.as(OPERATOR).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        started.then().statusCode(202);
        String jobId = started.jsonPath().getString("id");
        Api.as(VIEWER).body("{\"target\":\"alpha\"}").post("/api/v1/backups").then().statusCode(403);
        Api.as(OPERATOR).post("/api/v1/jobs/" + jobId + "/cancel");

        Api.as(VIEWER).get("/api/v1/audit").then().statusCode(403);
        Api.as(OPERATOR).get("/api/v1/audit").then().statusCode(403);
        JsonPath page = Api.as(ADMIN).get("/api/v1/audit?limit=20").then().statusCode(200).extract().jsonPath();
        List<Map<String, Object>> items = page.getList("items");
        assertThat(items).anySatisfy(e -> {
            assertThat(e.get("token")).isEqualTo("operator");
            assertThat(e.get("role")).isEqualTo("operator");
            assertThat(e.get("action")).isEqualTo("startBackup");
            assertThat(e.get("target")).isEqualTo("alpha");
            assertThat(e.get("jobId")).isEqualTo(jobId);
            assertThat(e.get("status")).isEqualTo(202);
        });
        assertThat(items).anySatisfy(e -> {
            assertThat(e.get("token")).isEqualTo("viewer");
            assertThat(e.get("status")).isEqualTo(403);
        });
        assertThat(items).anySatisfy(e -> {
            assertThat(e.get("action")).isEqualTo("cancelJob");
            assertThat(e.get("jobId")).isEqualTo(jobId);
        });
        // Newest first, cursor-paginated.
        JsonPath first = Api.as(ADMIN).get("/api/v1/audit?limit=1").jsonPath();
        JsonPath second = Api.as(ADMIN).get("/api/v1/audit?limit=1&cursor=" + first.getString("nextCursor")).jsonPath();
        assertThat(second.getLong("items[0].id")).isLessThan(first.getLong("items[0].id"));
        Api.as(ADMIN).get("/api/v1/audit?cursor=nonsense").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aLongPollReturnsWhenTheJobEndsNotAtTheNextRecheck() throws Exception {
        TargetDbs.recreateShop();
        List<Double> lags = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Response r = Api.as(OPERATOR).body(Map.of("target", "shop")).post("/api/v1/backups");
            String id = r.jsonPath().getString("id");
            JsonPath job = Api.as(VIEWER).get("/api/v1/jobs/" + id + "?waitSeconds=60").jsonPath();
            Instant answered = Instant.now();
            assertThat(job.getString("status")).isEqualTo("succeeded");
            lags.add(Duration.between(Instant.parse(job.getString("finishedAt")), answered).toNanos() / 1e6);
        }
        lags.sort(null);
        System.out.println("long poll: ms from finishedAt to the answer " + lags);
        // The recheck tick is 2 s: an answer on the tick would lag 1 s on average; on the job's event, a few ms.
        assertThat(lags.get(lags.size() / 2)).as("median ms from finishedAt to the long poll's answer, of " + lags).isLessThan(150.0);
    }

    @Test
    void twoHundredLongPollsHoldNoThreadOrConnectionAndARunningJobKeepsItsLease() throws Exception {
        // A job that waits and is never run (kind "raw" has no handler), and one that runs for a few seconds.
        Job waiting = queue.enqueue(new NewJob(ScriptArgs.of("raw", Map.of()), null, null)).job();
        Job running = queue.enqueue(new NewJob(ScriptArgs.of(Map.of("sleepMs", 9000)), "poll-" + UUID.randomUUID().toString()
                .substring(0, 8), null)).job();
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.find(running.id).orElseThrow().jobState() == JobState.RUNNING);
        Instant leaseBefore = queue.find(running.id).orElseThrow().leaseExpiresAt;

        ExecutorService clients = Executors.newFixedThreadPool(200);
        try {
            long t0 = System.nanoTime();
            List<Future<Integer>> polls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                polls.add(clients.submit(() -> Api.as(VIEWER).get("/api/v1/jobs/" + waiting.id + "?waitSeconds=4").statusCode()));
            }
            // While they wait, the API answers, the queue's connections are free, and the running job's heartbeat goes on.
            await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(queue.find(running.id).orElseThrow().leaseExpiresAt).as("the heartbeat went on").isAfter(leaseBefore);
            long q0 = System.nanoTime();
            Api.as(VIEWER).get("/api/v1/jobs?limit=5").then().statusCode(200);
            assertThat((System.nanoTime() - q0) / 1e9).as("an API call during 200 long polls").isLessThan(2.0);
            for (Future<Integer> p : polls) {
                assertThat(p.get()).isEqualTo(200);
            }
            assertThat((System.nanoTime() - t0) / 1e9).as("200 long polls of 4 s, side by side").isLessThan(12.0);
        } finally {
            clients.shutdownNow();
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> queue.find(running.id).orElseThrow().jobState() == JobState.SUCCEEDED);
        assertThat(queue.find(running.id).orElseThrow().attempt).as("never rescued").isEqualTo(1);
        queue.requestCancel(waiting.id);
    }
}
