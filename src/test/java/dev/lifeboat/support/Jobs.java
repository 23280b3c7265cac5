package dev.lifeboat.support;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import java.util.List;
import java.util.Map;

import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/** Jobs through the API, as the tests use them: start, long-poll to the end. */
public final class Jobs {
    private Jobs() {
    }

    /** Long-polls the job until it is succeeded, failed or cancelled (at most 10 minutes). */
    public static JsonPath awaitJob(String id) {
        for (int i = 0; i < 10; i++) {
            JsonPath job = as(VIEWER).get("/api/v1/jobs/" + id + "?waitSeconds=60").then().statusCode(200).extract().jsonPath();
            if (List.of("succeeded", "failed", "cancelled").contains(job.getString("status"))) {
                return job;
            }
        }
        throw new AssertionError("job " + id + " did not finish in 10 minutes");
    }

    /** Starts a backup of {@code target} (202) and returns the job once it ended, however it ended. */
    public static JsonPath backup(String target) {
        Response r = as(OPERATOR).body(Map.of("target", target)).post("/api/v1/backups");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        return awaitJob(r.jsonPath().getString("id"));
    }

    /** A backup of {@code target} that must succeed; returns its job. */
    public static JsonPath backupSucceeds(String target) {
        JsonPath job = backup(target);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        return job;
    }

    /** A backup of {@code target} that must succeed; returns the backup's id. */
    public static String backupId(String target) {
        return backupSucceeds(target).getString("result.backupId");
    }
}
