package dev.lifeboat.job;

import dev.lifeboat.support.Db;
import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.ScriptedHandler;
import dev.lifeboat.support.TestKind;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Jobs run by real worker pools: the application's own (as in production) plus extra pools in the
 * same JVM standing in for other replicas sharing the table.
 */
@QuarkusTest
class WorkerTest {
    @Inject
    JobQueue queue;
    @Inject
    WorkerPool pool;
    @Inject
    JobRescuer rescuer;
    @Inject
    ScriptedHandler scripted;
    @Inject
    Db db;

    Job enqueue(String target, Map<String, Object> args) {
        return queue.enqueue(new NewJob(ScriptArgs.of(args), target, null)).job();
    }

    Job awaitState(UUID id, JobState state) {
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.find(id).orElseThrow().jobState() == state);
        return queue.find(id).orElseThrow();
    }

    static String uniqueTarget() {
        return "w-" + UUID.randomUUID().toString().substring(0, 12);
    }

    @Test
    void aJobRunsOnceAndRecordsItsResultAndProgress() {
        Job job = enqueue(uniqueTarget(), Map.of("echo", "hello", "sleepMs", 1500));
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.find(job.id).orElseThrow().progress != null);
        Job running = queue.find(job.id).orElseThrow();
        assertThat(running.progress).containsEntry("phase", "working");
        Job done = awaitState(job.id, JobState.SUCCEEDED);
        assertThat(done.result).containsEntry("echo", "hello");
        assertThat(done.attempt).isEqualTo(1);
        assertThat(scripted.executionsOf(job.id)).isEqualTo(1);
    }

    @Test
    void aTransientFailureIsRetriedWithBackoffThenSucceeds() {
        Job job = enqueue(uniqueTarget(), Map.of("failTimes", 1));
        Job done = awaitState(job.id, JobState.SUCCEEDED);
        assertThat(done.attempt).isEqualTo(2);
        assertThat(scripted.executionsOf(job.id)).isEqualTo(2);
    }

    @Test
    void aJobThatKeepsFailingGivesUpAfterMaxAttemptsWithTheLastError() {
        Job job = enqueue(uniqueTarget(), Map.of("failTimes", 99));
        Job failed = awaitState(job.id, JobState.FAILED);
        assertThat(failed.attempt).isEqualTo(failed.maxAttempts).isEqualTo(3);
        assertThat(failed.error).isEqualTo("transient failure on attempt 3");
        assertThat(scripted.executionsOf(job.id)).isEqualTo(3);
    }

    @Test
    void aPermanentErrorFailsAtOnce() {
        Job job = enqueue(uniqueTarget(), Map.of("permanent", true));
        Job failed = awaitState(job.id, JobState.FAILED);
        assertThat(failed.attempt).isEqualTo(1);
        assertThat(failed.error).contains("password authentication failed");
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        JobWorker w = pool.newWorker("backoff-probe", 1);
        for (int attempt = 1; attempt <= 3; attempt++) {
            long ms = w.backoff(attempt).toMillis();
            long base = 200L << (attempt - 1); // %test retry-backoff=200ms
            assertThat(ms).isBetween((long) (base * 0.8), (long) (base * 1.2));
        }
        assertThat(w.backoff(30).toMillis()).isBetween(800L, 1000L); // retry-backoff-max=1s is a hard cap
    }

    @Test
    void cancellingARunningJobKillsItsChildProcessAndEndsCancelled() {
        Job job = enqueue(uniqueTarget(), Map.of("childProcess", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> scripted.children.containsKey(job.id));
        ProcessHandle child = scripted.children.get(job.id);
        assertThat(child.isAlive()).isTrue();
        assertThat(queue.requestCancel(job.id)).isInstanceOf(JobQueue.CancelResult.Requested.class);
        Job cancelled = awaitState(job.id, JobState.CANCELLED);
        assertThat(cancelled.finishedAt).isNotNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> !child.isAlive());
        assertThat(scripted.executionsOf(job.id)).isEqualTo(1);
    }

    @Test
    void cancellingAQueuedJobIsImmediateAndItNeverRuns() {
        String t = uniqueTarget();
        Job blocker = enqueue(t, Map.of("waitForCancel", true));
        await().atMost(Duration.ofSeconds(10)).until(() -> scripted.started.containsKey(blocker.id));
        Job waiting = enqueue(t, Map.of());
        assertThat(queue.requestCancel(waiting.id)).isInstanceOf(JobQueue.CancelResult.Cancelled.class);
        assertThat(queue.find(waiting.id).orElseThrow().jobState()).isEqualTo(JobState.CANCELLED);
        queue.requestCancel(blocker.id);
        awaitState(blocker.id, JobState.CANCELLED);
        assertThat(scripted.executionsOf(waiting.id)).isZero();
    }

    @Test
    void twoReplicasProcess500JobsEachExactlyOnce() {
        JobWorker replicaB = pool.newWorker("replica-b", 4);
        replicaB.start();
        try {
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                // a tenth of them share targets, the rest have none
                ids.add(enqueue(i % 10 == 0 ? "shared-" + (i % 3) : null, Map.of("i", i)).id);
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    db.count("SELECT count(*) FROM job WHERE id = ANY(?) AND state = 'succeeded'",
                            (Object) ids.toArray(UUID[]::new)) == 500);
            Set<UUID> idSet = Set.copyOf(ids);
            Map<UUID, Long> runs = scripted.executions.stream().filter(e -> idSet.contains(e.jobId()))
                    .collect(Collectors.groupingBy(ScriptedHandler.Execution::jobId, Collectors.counting()));
            assertThat(runs).hasSize(500);
            assertThat(runs.values()).allMatch(n -> n == 1);
            assertThat(db.count("SELECT count(*) FROM job WHERE id = ANY(?) AND attempt = 1",
                    (Object) ids.toArray(UUID[]::new))).isEqualTo(500);
            Map<String, Long> byWorker = scripted.executions.stream().filter(e -> idSet.contains(e.jobId()))
                    .collect(Collectors.groupingBy(ScriptedHandler.Execution::workerId, Collectors.counting()));
            assertThat(byWorker).containsKey("replica-b").hasSize(2);
        } finally {
            replicaB.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void jobsOfOneTargetNeverOverlapAcrossReplicas() {
        JobWorker replicaB = pool.newWorker("replica-b2", 4);
        JobWorker replicaC = pool.newWorker("replica-c2", 4);
        replicaB.start();
        replicaC.start();
        try {
            String[] targets = {uniqueTarget(), uniqueTarget(), uniqueTarget()};
            List<UUID> ids = new ArrayList<>();
            for (int i = 0; i < 45; i++) {
                ids.add(enqueue(targets[i % 3], Map.of("sleepMs", 30)).id);
            }
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    db.count("SELECT count(*) FROM job WHERE id = ANY(?) AND state = 'succeeded'",
                            (Object) ids.toArray(UUID[]::new)) == 45);
            for (String t : targets) {
                assertThat(scripted.maxPerTarget.get(t).get()).as("concurrent jobs of target " + t).isEqualTo(1);
            }
            // The test could see overlap: different targets did run at the same time.
            assertThat(scripted.maxTotal.get()).isGreaterThan(1);
        } finally {
            replicaB.stop(Duration.ofSeconds(5));
            replicaC.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aJobWhoseWorkerDiesIsRescuedAndCompletedByAnother() {
        // Only the doomed replica and, later, its successor handle this kind.
        ScriptedHandler recorder = new ScriptedHandler();
        JobHandler<ScriptArgs, Object> crashy = new TestKind() {
            @Override
            public String kind() {
                return "crashy";
            }

            @Override
            public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
                return ScriptedHandler.runScript(ctx, args, recorder);
            }
        };
        JobWorker doomed = pool.newWorker("doomed", 1, Map.of("crashy", crashy));
        doomed.start();
        Job job = queue.enqueue(new NewJob(ScriptArgs.of("crashy", Map.of("hangFirstAttempt", true)), uniqueTarget(), null)).job();
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.started.containsKey(job.id));
        doomed.crash(); // like kill -9: no more heartbeats, nothing written

        Job orphan = queue.find(job.id).orElseThrow();
        assertThat(orphan.jobState()).isEqualTo(JobState.RUNNING);
        assertThat(orphan.lockedBy).isEqualTo("doomed");

        JobWorker successor = pool.newWorker("successor", 1, Map.of("crashy", crashy));
        successor.start();
        try {
            // Once the lease has expired, the rescuer hands it back to the queue.
            rescuer.runOnce(orphan.leaseExpiresAt.plusMillis(1));
            Job done = awaitState(job.id, JobState.SUCCEEDED);
            assertThat(done.attempt).isEqualTo(2);
            assertThat(recorder.executions).extracting(ScriptedHandler.Execution::workerId)
                    .containsExactly("doomed", "successor");
        } finally {
            successor.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void stoppingAReplicaReturnsItsRunningJobWithoutSpendingAnAttempt() {
        ScriptedHandler recorder = new ScriptedHandler();
        JobHandler<ScriptArgs, Object> slow = new TestKind() {
            @Override
            public String kind() {
                return "slow";
            }

            @Override
            public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
                return ScriptedHandler.runScript(ctx, args, recorder);
            }
        };
        JobWorker leaving = pool.newWorker("leaving", 1, Map.of("slow", slow));
        leaving.start();
        Job job = queue.enqueue(new NewJob(ScriptArgs.of("slow", Map.of("waitForCancel", true)), uniqueTarget(), null)).job();
        await().atMost(Duration.ofSeconds(10)).until(() -> recorder.started.containsKey(job.id));
        leaving.stop(Duration.ofSeconds(5));
        Job back = queue.find(job.id).orElseThrow();
        assertThat(back.jobState()).isEqualTo(JobState.QUEUED);
        assertThat(back.attempt).isZero();
        queue.requestCancel(job.id);
    }

    @Test
    void aJobThatFinishesDuringShutdownIsRecordedAsSucceededNotRequeued() {
        java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        JobHandler<ScriptArgs, Object> stubborn = new TestKind() {
            @Override
            public String kind() {
                return "stubborn";
            }

            @Override
            public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
                started.countDown();
                Thread.sleep(300); // finishes its work although asked to stop
                return JobOutcome.succeeded(Map.of("done", true));
            }
        };
        JobWorker leaving = pool.newWorker("leaving-late", 1, Map.of("stubborn", stubborn));
        leaving.start();
        Job job = queue.enqueue(new NewJob(ScriptArgs.of("stubborn", Map.of()), uniqueTarget(), null)).job();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
        leaving.stop(Duration.ofSeconds(5));
        Job done = queue.find(job.id).orElseThrow();
        assertThat(done.jobState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result).containsEntry("done", true);
        assertThat(leaving.inFlight()).isZero();
    }

    @Test
    void aWorkerNoticesThatItLostItsLeaseAndStopsTheHandler() {
        ScriptedHandler recorder = new ScriptedHandler();
        JobHandler<ScriptArgs, Object> h = new TestKind() {
            @Override
            public String kind() {
                return "leasy";
            }

            @Override
            public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
                return ScriptedHandler.runScript(ctx, args, recorder);
            }
        };
        JobWorker w = pool.newWorker("lease-loser", 1, Map.of("leasy", h));
        w.start();
        try {
            Job job = queue.enqueue(new NewJob(ScriptArgs.of("leasy", Map.of("waitForCancel", true)), uniqueTarget(), null)).job();
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.started.containsKey(job.id));
            // Someone else took the job over (as a rescuer would after a long freeze).
            db.update("UPDATE job SET locked_by = 'new-owner' WHERE id = ?", job.id);
            await().atMost(Duration.ofSeconds(10)).until(() -> w.inFlight() == 0);
            Job j = queue.find(job.id).orElseThrow();
            assertThat(j.jobState()).isEqualTo(JobState.RUNNING);
            assertThat(j.lockedBy).as("the old worker did not overwrite the new owner's run").isEqualTo("new-owner");
            assertThat(queue.cancelled(job.id, "new-owner")).isTrue();
        } finally {
            w.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void retriedJobsKeepTheirRunAtInTheFutureUntilDue() {
        Job job = enqueue(uniqueTarget(), Map.of("failTimes", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> scripted.executionsOf(job.id) >= 1);
        Job done = awaitState(job.id, JobState.SUCCEEDED);
        // The second attempt waited for its backoff (200 ms ± 20 % in the test profile).
        assertThat(done.startedAt).isAfterOrEqualTo(done.createdAt.plusMillis(150));
    }
}
