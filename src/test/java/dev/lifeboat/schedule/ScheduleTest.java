package dev.lifeboat.schedule;

import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.target.Targets;
import io.quarkus.scheduler.Scheduler;
import io.quarkus.scheduler.Trigger;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;

/** Schedules: registered from configuration, and one job per fire time whatever the number of replicas. */
@QuarkusTest
class ScheduleTest {
    @Inject
    Schedules schedules;
    @Inject
    Scheduler scheduler;

    @Test
    void configuredSchedulesAreRegisteredWithTheirCron() {
        Trigger backup = scheduler.getScheduledJob("lifeboat-backup-beta");
        Trigger drill = scheduler.getScheduledJob("lifeboat-drill-beta");
        assertThat(backup).as("backup schedule of target beta").isNotNull();
        assertThat(drill).as("drill schedule of target beta").isNotNull();
        assertThat(backup.getNextFireTime().atZone(ZoneOffset.systemDefault()).getYear()).isEqualTo(2099);
        assertThat(backup.getNextFireTime().atZone(ZoneOffset.systemDefault()).getHour()).isEqualTo(3);
        assertThat(scheduler.getScheduledJob("lifeboat-backup-alpha")).as("alpha has no schedule").isNull();
    }

    @Test
    void oneFireTimeMakesExactlyOneJobAcrossReplicas() throws Exception {
        // Every replica's scheduler fires at the same scheduled time and calls fire(); here four at once.
        Instant fireTime = Instant.parse("2026-03-01T03:00:00Z").plusSeconds(System.nanoTime() % 1_000_000);
        ExecutorService replicas = Executors.newFixedThreadPool(4);
        List<Future<Optional<JobQueue.Enqueued>>> results = new ArrayList<>();
        try {
            Callable<Optional<JobQueue.Enqueued>> fire = () -> schedules.fire("alpha", JobKind.BACKUP, fireTime);
            for (int i = 0; i < 4; i++) {
                results.add(replicas.submit(fire));
            }
            List<String> ids = new ArrayList<>();
            int created = 0;
            for (Future<Optional<JobQueue.Enqueued>> f : results) {
                JobQueue.Enqueued e = f.get(30, TimeUnit.SECONDS).orElseThrow();
                ids.add(e.job().id.toString());
                created += e.created() ? 1 : 0;
            }
            assertThat(created).isEqualTo(1);
            assertThat(ids).containsOnly(ids.get(0));
            String key = Schedules.key(JobKind.BACKUP, "alpha", fireTime);
            assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM job WHERE idempotency_key = '" + key + "'")).isEqualTo(1);
            // The next fire time is another job.
            JobQueue.Enqueued next = schedules.fire("alpha", JobKind.BACKUP, fireTime.plusSeconds(86400)).orElseThrow();
            assertThat(next.created()).isTrue();
            assertThat(next.job().id.toString()).isNotEqualTo(ids.get(0));
            for (String id : List.of(ids.get(0), next.job().id.toString())) {
                JsonPath job = as(VIEWER).get("/api/v1/jobs/" + id + "?waitSeconds=60").jsonPath();
                assertThat(job.getString("kind")).isEqualTo("backup");
            }
        } finally {
            replicas.shutdownNow();
        }
    }

    @Test
    void aScheduledDrillOfATargetWithoutBackupsIsSkipped() {
        assertThat(schedules.fire("beta", JobKind.DRILL, Instant.now())).isEmpty();
    }

    @Test
    void cronExpressionsAreCheckedAsTheSchedulerReadsThem() {
        assertThat(Targets.cronProblem("0 0 3 * * ?")).isNull();
        assertThat(Targets.cronProblem("0 0 5 ? * SUN")).isNull();
        assertThat(Targets.cronProblem("0 3 * * *")).isNotNull(); // crontab's five fields: Quartz wants seconds first
        assertThat(Targets.cronProblem("every night")).isNotNull();
    }
}
