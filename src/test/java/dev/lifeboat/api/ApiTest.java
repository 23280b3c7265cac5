package dev.lifeboat.api;

import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import dev.lifeboat.job.IdempotencyKeys;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.support.Api;
import dev.lifeboat.support.Db;
import dev.lifeboat.support.ScriptedHandler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

@QuarkusTest
class ApiTest {
    static final String PROBLEM = "application/problem+json";

    @Inject
    JobQueue queue;
    @Inject
    Db db;

    // ---- authentication and roles ----

    @Test
    void withoutAValidTokenEveryApiCallIs401ProblemJson() {
        for (String path : List.of("/api/v1/jobs", "/api/v1/targets", "/api/v1/jobs/" + UUID.randomUUID())) {
            Api.anonymous().get(path).then().statusCode(401).contentType(PROBLEM)
                    .header("WWW-Authenticate", containsString("Bearer"))
                    .body("status", equalTo(401)).body("detail", containsString("bearer token"));
            Api.as("not-a-token").get(path).then().statusCode(401).contentType(PROBLEM);
        }
        RestAssured.given().header("Authorization", "Basic dGVzdDp0ZXN0").get("/api/v1/jobs").then().statusCode(401);
        Api.anonymous().body("{\"target\":\"alpha\"}").post("/api/v1/backups").then().statusCode(401);
    }

    @Test
    void rolesMatrix() {
        record Call(String method, String path, String body, String least) {
        }
        String queuedJob = queue.enqueue(new NewJob(ScriptArgs.of("raw", Map.of()), "alpha", null)).job().id.toString();
        List<Call> calls = List.of(
                new Call("GET", "/api/v1/jobs", null, VIEWER),
                new Call("GET", "/api/v1/jobs/" + queuedJob, null, VIEWER),
                new Call("GET", "/api/v1/targets", null, VIEWER),
                new Call("GET", "/api/v1/targets/alpha", null, VIEWER),
                new Call("GET", "/api/v1/whoami", null, VIEWER),
                new Call("POST", "/api/v1/backups", "{\"target\":\"alpha\"}", OPERATOR),
                new Call("POST", "/api/v1/drills", "{\"target\":\"alpha\"}", OPERATOR),
                new Call("POST", "/api/v1/jobs/" + UUID.randomUUID() + "/cancel", null, OPERATOR),
                new Call("POST", "/api/v1/restores", "{\"target\":\"alpha\",\"latest\":true}", ADMIN),
                new Call("GET", "/api/v1/targets/alpha/retention", null, VIEWER),
                new Call("POST", "/api/v1/targets/alpha/prune", null, OPERATOR),
                new Call("POST", "/api/v1/backups/" + UUID.randomUUID() + "/verify", null, OPERATOR),
                new Call("POST", "/api/v1/backups/" + UUID.randomUUID() + "/pin", null, ADMIN),
                new Call("POST", "/api/v1/backups/" + UUID.randomUUID() + "/unpin", null, ADMIN),
                new Call("DELETE", "/api/v1/backups/" + UUID.randomUUID(), null, ADMIN),
                new Call("POST", "/api/v1/catalog/rebuild", null, ADMIN));
        List<String> ladder = List.of(VIEWER, OPERATOR, ADMIN);
        for (Call c : calls) {
            for (String token : ladder) {
                var req = Api.as(token);
                if (c.body() != null) {
                    req = req.body(c.body());
                }
                int status = req.request(c.method(), c.path()).statusCode();
                boolean allowed = ladder.indexOf(token) >= ladder.indexOf(c.least());
                if (allowed) {
                    assertThat(status).as(token + " " + c.method() + " " + c.path()).isNotIn(401, 403);
                } else {
                    assertThat(status).as(token + " " + c.method() + " " + c.path()).isEqualTo(403);
                }
            }
        }
        Api.as(VIEWER).body("{\"target\":\"alpha\"}").post("/api/v1/backups").then().statusCode(403)
                .contentType(PROBLEM).body("detail", containsString("operator"));
        queue.requestCancel(UUID.fromString(queuedJob));
    }

    // ---- starting work ----

    @Test
    void postBackupAnswers202WithLocationAndTheQueuedJob() {
        Response r = Api.as(OPERATOR).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        r.then().statusCode(202).contentType("application/json")
                .body("kind", equalTo("backup")).body("target", equalTo("alpha"))
                .body("status", equalTo("queued")).body("attempt", equalTo(0)).body("maxAttempts", equalTo(3))
                .body("createdAt", notNullValue()).body("finishedAt", nullValue())
                .body("error", nullValue()).body("result", nullValue());
        String id = r.jsonPath().getString("id");
        assertThat(r.header("Location")).endsWith("/api/v1/jobs/" + id);
        Api.as(VIEWER).get(r.header("Location")).then().statusCode(200).body("id", equalTo(id));
        queue.requestCancel(UUID.fromString(id));
    }

    @Test
    void theSameIdempotencyKeyReturnsTheSameJobAndAnotherRequestWithItIs422() {
        String key = "nightly-" + UUID.randomUUID();
        Response first = Api.as(OPERATOR).header("Idempotency-Key", key).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        Response again = Api.as(OPERATOR).header("Idempotency-Key", key).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        first.then().statusCode(202);
        again.then().statusCode(202).header("Idempotent-Replayed", "true");
        assertThat(again.jsonPath().getString("id")).isEqualTo(first.jsonPath().getString("id"));
        assertThat(again.header("Location")).isEqualTo(first.header("Location"));
        assertThat(db.count("SELECT count(*) FROM job WHERE idempotency_key = ?", IdempotencyKeys.ofCaller("operator", key))).isEqualTo(1);
        Api.as(OPERATOR).header("Idempotency-Key", key).body("{\"target\":\"beta\"}").post("/api/v1/backups")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("different request"));
        Api.as(OPERATOR).header("Idempotency-Key", "x".repeat(300)).body("{\"target\":\"alpha\"}").post("/api/v1/backups")
                .then().statusCode(400).contentType(PROBLEM);
        queue.requestCancel(UUID.fromString(first.jsonPath().getString("id")));
    }

    @Test
    void idempotencyKeysBelongToTheirTokenAndLifeboatsOwnPrefixesAreRefused() {
        String key = "nightly-" + UUID.randomUUID();
        Response operator = Api.as(OPERATOR).header("Idempotency-Key", key).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        Response admin = Api.as(ADMIN).header("Idempotency-Key", key).body("{\"target\":\"alpha\"}").post("/api/v1/backups");
        operator.then().statusCode(202);
        admin.then().statusCode(202).header("Idempotent-Replayed", (String) null);
        assertThat(admin.jsonPath().getString("id")).as("another token's key never finds (or reveals) this job")
                .isNotEqualTo(operator.jsonPath().getString("id"));
        for (String reserved : List.of("schedule:backup:alpha:1", "notify:test:job.failed:x", "prune-after-backup:x", "api:admin:x")) {
            Api.as(OPERATOR).header("Idempotency-Key", reserved).body("{\"target\":\"alpha\"}").post("/api/v1/backups")
                    .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("Lifeboat uses that prefix"));
        }
        queue.requestCancel(UUID.fromString(operator.jsonPath().getString("id")));
        queue.requestCancel(UUID.fromString(admin.jsonPath().getString("id")));
    }

    @Test
    void badRequestBodiesAreClear4xxProblems() {
        Api.as(OPERATOR).body("{\"target\":\"nope\"}").post("/api/v1/backups").then().statusCode(422).contentType(PROBLEM)
                .body("detail", containsString("'nope' is not configured")).body("detail", containsString("alpha"))
                .body("title", equalTo("Unprocessable Content")).body("instance", equalTo("/api/v1/backups"));
        Api.as(OPERATOR).body("{}").post("/api/v1/backups").then().statusCode(422).contentType(PROBLEM)
                .body("detail", containsString("target is required"));
        Api.as(OPERATOR).body("{\"target\": ").post("/api/v1/backups").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("not valid JSON"));
        Api.as(OPERATOR).body("[1,2]").post("/api/v1/backups").then().statusCode(400).contentType(PROBLEM);
        Api.as(OPERATOR).body("{\"target\": {\"a\": 1}}").post("/api/v1/backups").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("target"));
        Api.as(OPERATOR).body("{\"targt\":\"alpha\"}").post("/api/v1/backups").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("targt"));
        Api.as(OPERATOR).post("/api/v1/backups").then().statusCode(400).contentType(PROBLEM);
        Api.as(OPERATOR).contentType("text/plain").body("target=alpha").post("/api/v1/backups").then().statusCode(415).contentType(PROBLEM);
        Api.as(OPERATOR).body("{\"target\":\"\\u0000'; DROP TABLE job; --\"}").post("/api/v1/backups")
                .then().statusCode(422).contentType(PROBLEM);
        assertThat(db.count("SELECT count(*) FROM job WHERE target = 'nope' OR target LIKE '%DROP TABLE%' OR target = ''"))
                .as("no job for a rejected request").isZero();
    }

    @Test
    void restoresAndDrillsCheckTheirTarget() {
        Api.as(ADMIN).body("{\"target\":\"nope\",\"latest\":true}").post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        Api.as(ADMIN).body("{}").post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        Api.as(OPERATOR).body("{\"target\":\"nope\"}").post("/api/v1/drills").then().statusCode(422).contentType(PROBLEM);
        Api.as(OPERATOR).body("{}").post("/api/v1/drills").then().statusCode(422).contentType(PROBLEM);
        Api.as(OPERATOR).body("{\"target\": ").post("/api/v1/drills").then().statusCode(400).contentType(PROBLEM);
    }

    // ---- reading jobs ----

    @Test
    void badIdsUnknownJobsUnknownPathsAndWrongMethodsAreProblems() {
        Api.as(VIEWER).get("/api/v1/jobs/not-a-uuid").then().statusCode(400).contentType(PROBLEM).body("detail", containsString("not a UUID"));
        Api.as(VIEWER).get("/api/v1/jobs/" + UUID.randomUUID()).then().statusCode(404).contentType(PROBLEM);
        Api.as(VIEWER).get("/api/v1/nothing-here").then().statusCode(404).contentType(PROBLEM)
                .body("detail", containsString("/q/swagger-ui")).body("detail", containsString("dashboard is at /"));
        Api.as(VIEWER).get("/api/v2/jobs").then().statusCode(404).contentType(PROBLEM);
        // A browser that wanders off gets a page with the way back, not JSON.
        RestAssured.given().accept("text/html,application/xhtml+xml,*/*;q=0.8").get("/no-such-page").then().statusCode(404)
                .contentType(containsString("text/html")).body(containsString("href=\"/\"")).body(containsString("href=\"/q/swagger-ui\""));
        Api.as(ADMIN).delete("/api/v1/jobs").then().statusCode(405).contentType(PROBLEM)
                .header("Allow", "GET, HEAD").body("detail", containsString("DELETE is not allowed on /api/v1/jobs; allowed: GET, HEAD"));
        Api.as(ADMIN).get("/api/v1/jobs/" + UUID.randomUUID() + "/cancel").then().statusCode(405).contentType(PROBLEM)
                .header("Allow", "POST");
        Api.as(ADMIN).put("/api/v1/backups/" + UUID.randomUUID()).then().statusCode(405).contentType(PROBLEM)
                .header("Allow", containsString("DELETE")).header("Allow", containsString("GET"));
        Api.as(VIEWER).get("/api/v1/jobs?state=exploded").then().statusCode(400).contentType(PROBLEM).body("detail", containsString("state"));
        Api.as(VIEWER).get("/api/v1/jobs?limit=0").then().statusCode(400).contentType(PROBLEM);
        Api.as(VIEWER).get("/api/v1/jobs?limit=abc").then().statusCode(400).contentType(PROBLEM);
        Api.as(VIEWER).get("/api/v1/jobs?cursor=%%%").then().statusCode(400).contentType(PROBLEM);
        Api.as(VIEWER).get("/api/v1/jobs/" + UUID.randomUUID() + "?waitSeconds=-1").then().statusCode(400).contentType(PROBLEM);
        Api.as(VIEWER).get("/api/v1/jobs/" + UUID.randomUUID() + "?waitSeconds=soon").then().statusCode(400).contentType(PROBLEM);
        Api.as(OPERATOR).post("/api/v1/jobs/nope/cancel").then().statusCode(400).contentType(PROBLEM);
        Api.as(OPERATOR).post("/api/v1/jobs/" + UUID.randomUUID() + "/cancel").then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void jobListIsFilteredAndCursorPaginatedNewestFirst() {
        String target = "alpha";
        String kind = "raw";
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(0, queue.enqueue(new NewJob(ScriptArgs.of(kind, Map.of("page", i)), target, null)).job().id.toString());
        }
        String marker = created.get(0);
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            var req = Api.as(VIEWER).queryParam("kind", kind).queryParam("target", target).queryParam("state", "queued").queryParam("limit", 3);
            if (cursor != null) {
                req = req.queryParam("cursor", cursor);
            }
            Response page = req.get("/api/v1/jobs");
            page.then().statusCode(200);
            List<String> ids = page.jsonPath().getList("items.id");
            assertThat(ids.size()).isLessThanOrEqualTo(3);
            assertThat(page.jsonPath().getList("items.kind")).containsOnly(kind);
            seen.addAll(ids);
            cursor = page.jsonPath().getString("nextCursor");
            pages++;
        } while (cursor != null && pages < 1000);
        assertThat(seen).doesNotHaveDuplicates();
        // Newest first: the jobs we just made come first, in reverse creation order.
        assertThat(seen.subList(0, 7)).containsExactlyElementsOf(created);
        assertThat(seen.get(0)).isEqualTo(marker);
        for (String id : created) {
            queue.requestCancel(UUID.fromString(id));
        }
        Api.as(VIEWER).queryParam("kind", kind).queryParam("state", "queued").queryParam("target", target).get("/api/v1/jobs")
                .then().statusCode(200).body("items.id", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(marker)));
    }

    @Test
    void waitSecondsLongPollsUntilTheJobFinishes() {
        String id = queue.enqueue(new NewJob(ScriptArgs.of(ScriptedHandler.KIND, Map.of("sleepMs", 1500)), "alpha", null)).job().id.toString();
        long t0 = System.nanoTime();
        Response r = Api.as(VIEWER).get("/api/v1/jobs/" + id + "?waitSeconds=30");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        r.then().statusCode(200).body("status", equalTo("succeeded")).body("result.echo", equalTo("ok"))
                .body("finishedAt", notNullValue());
        assertThat(ms).as("returned soon after the job finished, not at the deadline").isLessThan(10_000);
    }

    @Test
    void waitSecondsReturnsTheUnfinishedJobAtTheDeadline() {
        String id = queue.enqueue(new NewJob(ScriptArgs.of("raw", Map.of()), "beta", null)).job().id.toString();
        long t0 = System.nanoTime();
        Api.as(VIEWER).get("/api/v1/jobs/" + id + "?waitSeconds=1").then().statusCode(200).body("status", equalTo("queued"));
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5_000L);
        queue.requestCancel(UUID.fromString(id));
    }

    @Test
    void cancelViaApiQueuedIs200RunningIs202FinishedIs409() {
        String queued = queue.enqueue(new NewJob(ScriptArgs.of("raw", Map.of()), "beta", null)).job().id.toString();
        Api.as(OPERATOR).post("/api/v1/jobs/" + queued + "/cancel").then().statusCode(200).body("status", equalTo("cancelled"));
        Api.as(OPERATOR).post("/api/v1/jobs/" + queued + "/cancel").then().statusCode(409).contentType(PROBLEM)
                .body("detail", containsString("already cancelled"));

        String running = queue.enqueue(new NewJob(ScriptArgs.of(ScriptedHandler.KIND, Map.of("waitForCancel", true)), "w-api-cancel", null)).job().id.toString();
        org.awaitility.Awaitility.await().until(() -> queue.find(UUID.fromString(running)).orElseThrow().jobState() == JobState.RUNNING);
        Api.as(OPERATOR).post("/api/v1/jobs/" + running + "/cancel").then().statusCode(202)
                .body("status", equalTo("running")).body("cancelRequested", equalTo(true));
        Api.as(VIEWER).get("/api/v1/jobs/" + running + "?waitSeconds=20").then().statusCode(200)
                .body("status", equalTo("cancelled")).body("error.message", containsString("cancel"));
    }

    // ---- targets ----

    @Test
    void targetsAreListedWithoutPasswords() {
        Response r = Api.as(VIEWER).get("/api/v1/targets");
        r.then().statusCode(200).body("items.name", org.hamcrest.Matchers.hasItems("alpha", "beta"))
                .body("items[0].passwordConfigured", equalTo(true));
        assertThat(r.asString()).doesNotContain("lifeboat_test\",\"password").doesNotContainIgnoringCase("\"password\"");
        Api.as(VIEWER).get("/api/v1/targets/alpha").then().statusCode(200).body("database", equalTo("lifeboat_test"))
                .body("storage", org.hamcrest.Matchers.contains("local")).body("profile", equalTo("generic"));
        Api.as(VIEWER).get("/api/v1/targets/nope").then().statusCode(404).contentType(PROBLEM);
    }

    // ---- operations endpoints ----

    @Test
    void healthMetricsOpenApiAndSwaggerUiAreServedWithoutToken() {
        RestAssured.get("/q/health/live").then().statusCode(200);
        RestAssured.get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", org.hamcrest.Matchers.hasItem("job-queue"));
        RestAssured.get("/q/metrics").then().statusCode(200)
                .body(containsString("lifeboat_queue_jobs{state=\"queued\"}"));
        RestAssured.get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/backups"));
        RestAssured.get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void serverErrorsNeverLeakStackTraces() {
        Response r = Api.as(VIEWER).get("/api/v1/jobs?cursor=" + "A".repeat(5000));
        assertThat(r.statusCode()).isBetween(400, 499);
        assertThat(r.asString()).doesNotContain("at dev.lifeboat").doesNotContain("Exception");
    }
}
