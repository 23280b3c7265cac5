package dev.lifeboat.backup;

import dev.lifeboat.job.FollowUps;
import dev.lifeboat.support.FailingFollowUp;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The catalog commit is a backup's point of no return: what follows the backup runs from its finished
 * job, so a follow-up that fails after the commit cannot touch the backup. (Before, the handler raised
 * the anomaly notification itself after committing, and a failure there deleted the stored objects of
 * a backup the catalog listed as available.) The failed follow-up is run again by the reconcile pass,
 * once, and the other follow-ups of the job are not held up by it.
 */
@QuarkusTest
class BackupPointOfNoReturnTest {
    static final Path LOCAL_ROOT = Path.of("target/test-backups");

    @Inject
    FollowUps followUps;

    @AfterEach
    void disarm() {
        FailingFollowUp.failFor = null;
    }

    @Test
    void aFollowUpThatFailsAfterTheCommitLeavesTheBackupAvailableWithItsObjects() throws Exception {
        TargetDbs.recreateShop();
        FailingFollowUp.failFor = "shop";
        JsonPath job = backupSucceeds("shop");
        String jobId = job.getString("id");
        String backupId = job.getString("result.backupId");
        await().atMost(Duration.ofSeconds(30)).until(() -> FailingFollowUp.attempts(jobId) >= 1);
        assertThat(FailingFollowUp.runs(jobId)).as("the follow-up failed").isZero();

        // The backup is listed, available, and every stored object is there and intact.
        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + backupId).then().statusCode(200).extract().jsonPath();
        assertThat(backup.getString("status")).isEqualTo("available");
        assertThat(backup.getList("locations.storage")).containsExactly("local", "s3");
        Path dump = LOCAL_ROOT.resolve(backup.getString("locations[0].key"));
        assertThat(dump).exists();
        assertThat(Files.size(dump)).isEqualTo(backup.getLong("sizeBytes"));
        assertThat(dump.resolveSibling("manifest.json")).exists();
        String verify = as(OPERATOR).post("/api/v1/backups/" + backupId + "/verify").then().statusCode(202).extract().jsonPath().getString("id");
        JsonPath verified = awaitJob(verify);
        assertThat(verified.getString("status")).as(verified.prettify()).isEqualTo("succeeded");
        assertThat(verified.getList("result.copies.ok")).containsExactly(true, true);

        // The other follow-ups of the job ran regardless (each in a transaction of its own): the metrics show the backup.
        await().atMost(Duration.ofSeconds(30)).until(() -> io.restassured.RestAssured.get("/q/metrics").asString()
                .contains("lifeboat_backup_size_bytes{target=\"shop\"} " + (double) backup.getLong("sizeBytes")));

        // Once the cause is gone, the reconcile pass runs the failed follow-up, once, however often it passes.
        FailingFollowUp.failFor = null;
        Instant since = Instant.now().minus(Duration.ofMinutes(15));
        assertThat(followUps.reconcile(since).ran()).isGreaterThanOrEqualTo(1);
        followUps.reconcile(since);
        followUps.jobFinished(java.util.UUID.fromString(jobId));
        assertThat(FailingFollowUp.runs(jobId)).isEqualTo(1);
    }
}
