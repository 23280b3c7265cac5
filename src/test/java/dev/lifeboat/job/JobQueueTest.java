package dev.lifeboat.job;

import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.Db;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The queue's state transitions against the real table. Jobs here are of kind "raw", which no
 * handler bean serves, so the application's own worker pool never claims them: each test drives
 * the transitions itself.
 */
@QuarkusTest
class JobQueueTest {
    static final String RAW = "raw";
    static final Duration LEASE = Duration.ofSeconds(30);

    @Inject
    JobQueue queue;
    @Inject
    JobRescuer rescuer;
    @Inject
    JobCleaner cleaner;
    @Inject
    JobEvents events;
    @Inject
    Db db;

    @org.junit.jupiter.api.BeforeEach
    void clean() {
        db.update("DELETE FROM job WHERE kind = ?", RAW);
    }

    static String uniqueTarget() {
        return "t-" + UUID.randomUUID().toString().substring(0, 12);
    }

    Job enqueue(String target) {
        return queue.enqueue(new NewJob(ScriptArgs.of(RAW, Map.of("n", 1)), target, null)).job();
    }

    /** Claims until the given job is among the claimed ones (other tests' raw jobs may come first). */
    Job claimJob(UUID id, String worker) {
        for (int i = 0; i < 50; i++) {
            Job found = null;
            for (Job j : queue.claim(worker, Set.of(RAW), 100, LEASE)) {
                if (j.id.equals(id)) {
                    found = j;
                } else {
                    queue.release(j.id, worker);
                }
            }
            if (found != null) {
                return found;
            }
        }
        throw new AssertionError("job " + id + " was never claimed");
    }

    @Test
    void claimThenCompleteRecordsResultAndClearsLease() {
        Job queued = enqueue(uniqueTarget());
        assertThat(queued.jobState()).isEqualTo(JobState.QUEUED);
        assertThat(queued.attempt).isZero();

        Job running = claimJob(queued.id, "w1");
        assertThat(running.jobState()).isEqualTo(JobState.RUNNING);
        assertThat(running.attempt).isEqualTo(1);
        assertThat(running.lockedBy).isEqualTo("w1");
        assertThat(running.leaseExpiresAt).isAfter(Instant.now().plusSeconds(20));
        assertThat(running.startedAt).isNotNull();

        assertThat(queue.complete(queued.id, "w1", Map.of("backupId", "b-1"))).isTrue();
        Job done = queue.find(queued.id).orElseThrow();
        assertThat(done.jobState()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result).containsEntry("backupId", "b-1");
        assertThat(done.finishedAt).isNotNull();
        assertThat(done.lockedBy).isNull();
        assertThat(done.leaseExpiresAt).isNull();
    }

    @Test
    void aWorkerThatLostTheJobCannotRecordItsOutcome() {
        Job job = enqueue(uniqueTarget());
        claimJob(job.id, "w1");
        assertThat(queue.complete(job.id, "someone-else", Map.of())).isFalse();
        assertThat(queue.fail(job.id, "someone-else", "x")).isFalse();
        assertThat(queue.find(job.id).orElseThrow().jobState()).isEqualTo(JobState.RUNNING);
        assertThat(queue.complete(job.id, "w1", Map.of())).isTrue();
        assertThat(queue.complete(job.id, "w1", Map.of())).as("a second completion").isFalse();
    }

    @Test
    void aBatchOfCompletionsIsRecordedOnlyForJobsThisWorkerStillHoldsAndNotifiesEachOne() throws Exception {
        // 150 jobs so the notifications need more than one payload (about 60 per 7,900 bytes).
        List<Job> mine = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            mine.add(claimJob(enqueue(uniqueTarget()).id, "w1"));
        }
        Job other = claimJob(enqueue(uniqueTarget()).id, "w2");
        Set<UUID> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.function.Consumer<JobEvents.Event> listener = e -> {
            if (e.type() == JobEvents.Type.FINISHED) {
                seen.add(e.jobId());
            }
        };
        events.subscribe(listener);
        try {
            List<JobQueue.Completion> batch = new ArrayList<>();
            for (int i = 0; i < mine.size(); i++) {
                batch.add(new JobQueue.Completion(mine.get(i).id, Map.of("i", i)));
            }
            batch.add(new JobQueue.Completion(other.id, Map.of()));

            Set<UUID> held = queue.completeAll("w1", batch);

            assertThat(held).hasSize(150).doesNotContain(other.id);
            Job done = queue.find(mine.get(7).id).orElseThrow();
            assertThat(done.jobState()).isEqualTo(JobState.SUCCEEDED);
            assertThat(done.result).containsEntry("i", 7);
            assertThat(done.lockedBy).isNull();
            assertThat(queue.find(other.id).orElseThrow().jobState()).as("w2's job").isEqualTo(JobState.RUNNING);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> seen.containsAll(held));
            assertThat(seen).doesNotContain(other.id);
        } finally {
            events.unsubscribe(listener);
        }
    }

    @Test
    void aNotificationMayCarrySeveralEventsOnePerLine() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(JobEvents.Event.parseAll("finished " + a + " " + RAW + " db1\nfinished " + b + " " + RAW + " \ngarbage"))
                .containsExactly(new JobEvents.Event(JobEvents.Type.FINISHED, a, RAW, "db1"), new JobEvents.Event(JobEvents.Type.FINISHED, b, RAW, null));
    }

    @Test
    void retryQueuesTheNextAttemptAtItsRunAtAndKeepsTheError() {
        Job job = enqueue(uniqueTarget());
        claimJob(job.id, "w1");
        assertThat(queue.retry(job.id, "w1", "connection refused", Instant.now().plusSeconds(3600))).isTrue();
        Job retrying = queue.find(job.id).orElseThrow();
        assertThat(retrying.jobState()).isEqualTo(JobState.QUEUED);
        assertThat(retrying.error).isEqualTo("connection refused");
        assertThat(retrying.attempt).isEqualTo(1);
        // Not due yet: no claim takes it.
        assertThat(queue.claim("w1", Set.of(RAW), 1000, LEASE)).extracting(j -> j.id).doesNotContain(job.id);
        db.update("UPDATE job SET run_at = now() - interval '1 second' WHERE id = ?", job.id);
        Job second = claimJob(job.id, "w2");
        assertThat(second.attempt).isEqualTo(2);
        assertThat(second.lockedBy).isEqualTo("w2");
    }

    @Test
    void claimTakesAtMostOneJobPerTargetAndSkipsTargetsThatAreRunning() {
        String t = uniqueTarget();
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(enqueue(t).id);
        }
        List<Job> claimed = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            claimed.addAll(queue.claim("w1", Set.of(RAW), 100, LEASE).stream().filter(j -> t.equals(j.target)).toList());
        }
        assertThat(claimed).hasSize(1);
        assertThat(claimed.get(0).id).isEqualTo(ids.get(0)).as("oldest first");
        // The target is busy: a different worker gets nothing of it either.
        assertThat(queue.claim("w2", Set.of(RAW), 100, LEASE)).noneMatch(j -> t.equals(j.target));
        queue.complete(ids.get(0), "w1", Map.of());
        Job next = claimJob(ids.get(1), "w2");
        assertThat(next.target).isEqualTo(t);
    }

    @Test
    void theDatabaseRefusesTwoRunningJobsForOneTarget() {
        String t = uniqueTarget();
        Job a = enqueue(t);
        Job b = enqueue(t);
        claimJob(a.id, "w1");
        String state = db.failingUpdate("UPDATE job SET state = 'running', attempt = 1, locked_by = 'rogue', "
                + "lease_expires_at = now() + interval '1 minute', started_at = now() WHERE id = ?", b.id);
        assertThat(state).as("unique violation").isEqualTo("23505");
    }

    @Test
    void checkConstraintsRejectImpossibleStates() {
        Job job = enqueue(uniqueTarget());
        assertThat(db.failingUpdate("UPDATE job SET state = 'succeeded' WHERE id = ?", job.id))
                .as("terminal without finished_at").isEqualTo("23514");
        assertThat(db.failingUpdate("UPDATE job SET finished_at = now() WHERE id = ?", job.id))
                .as("finished_at on a queued job").isEqualTo("23514");
        assertThat(db.failingUpdate("UPDATE job SET state = 'running' WHERE id = ?", job.id))
                .as("running without a lease").isEqualTo("23514");
        assertThat(db.failingUpdate("UPDATE job SET state = 'failed', finished_at = now() WHERE id = ?", job.id))
                .as("failed without an error").isEqualTo("23514");
        assertThat(db.failingUpdate("UPDATE job SET attempt = 9 WHERE id = ?", job.id))
                .as("more attempts than allowed").isEqualTo("23514");
        assertThat(db.failingUpdate("UPDATE job SET kind = 'Drop Table' WHERE id = ?", job.id))
                .as("kind format").isEqualTo("23514");
    }

    @Test
    void idempotencyKeyReturnsTheSameJobAndRefusesADifferentRequest() {
        String t = uniqueTarget();
        String key = "key-" + UUID.randomUUID();
        JobQueue.Enqueued first = queue.enqueue(new NewJob(ScriptArgs.of(RAW, Map.of("n", 1)), t, key));
        JobQueue.Enqueued again = queue.enqueue(new NewJob(ScriptArgs.of(RAW, Map.of("n", 1L)), t, key));
        assertThat(first.created()).isTrue();
        assertThat(again.created()).isFalse();
        assertThat(again.job().id).isEqualTo(first.job().id);
        assertThat(db.count("SELECT count(*) FROM job WHERE idempotency_key = ?", key)).isEqualTo(1);
        assertThatThrownBy(() -> queue.enqueue(new NewJob(ScriptArgs.of(RAW, Map.of("n", 1)), uniqueTarget(), key)))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining(first.job().id.toString());
    }

    @Test
    void concurrentEnqueuesWithOneKeyMakeOneJob() throws Exception {
        String t = uniqueTarget();
        String key = "race-" + UUID.randomUUID();
        List<Thread> threads = new ArrayList<>();
        Set<UUID> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 8; i++) {
            Thread th = new Thread(() -> ids.add(queue.enqueue(new NewJob(ScriptArgs.of(RAW, Map.of()), t, key)).job().id));
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(ids).hasSize(1);
        assertThat(db.count("SELECT count(*) FROM job WHERE target = ?", t)).isEqualTo(1);
    }

    @Test
    void rescuerRequeuesExpiredLeasesAndFailsJobsWithoutAttemptsLeft() {
        Job requeue = enqueue(uniqueTarget());
        Job spent = enqueue(uniqueTarget());
        Job cancelMe = enqueue(uniqueTarget());
        claimJob(requeue.id, "dead-worker");
        claimJob(spent.id, "dead-worker");
        claimJob(cancelMe.id, "dead-worker");
        db.update("UPDATE job SET attempt = max_attempts WHERE id = ?", spent.id);
        queue.requestCancel(cancelMe.id);

        // Leases are still valid: nothing to rescue yet.
        rescuer.runOnce(Instant.now());
        assertThat(queue.find(requeue.id).orElseThrow().jobState()).isEqualTo(JobState.RUNNING);

        JobRescuer.Result r = rescuer.runOnce(Instant.now().plus(LEASE).plusSeconds(1));
        assertThat(r.requeued()).isGreaterThanOrEqualTo(1);
        Job back = queue.find(requeue.id).orElseThrow();
        assertThat(back.jobState()).isEqualTo(JobState.QUEUED);
        assertThat(back.attempt).isEqualTo(1);
        assertThat(back.lockedBy).isNull();
        assertThat(back.error).contains("dead-worker").contains("stopped renewing its lease");
        Job failed = queue.find(spent.id).orElseThrow();
        assertThat(failed.jobState()).isEqualTo(JobState.FAILED);
        assertThat(failed.finishedAt).isNotNull();
        assertThat(queue.find(cancelMe.id).orElseThrow().jobState()).isEqualTo(JobState.CANCELLED);
        // The dead worker coming back cannot overwrite the new state.
        assertThat(queue.complete(requeue.id, "dead-worker", Map.of())).isFalse();
    }

    @Test
    void heartbeatRenewsLeasesAndReportsCancelRequests() {
        Job a = enqueue(uniqueTarget());
        Job b = enqueue(uniqueTarget());
        Job before = claimJob(a.id, "w1");
        claimJob(b.id, "w1");
        queue.requestCancel(b.id);
        JobQueue.Heartbeat hb = queue.heartbeat("w1", List.of(a.id, b.id), Duration.ofMinutes(10));
        assertThat(hb.held()).containsExactlyInAnyOrder(a.id, b.id);
        assertThat(hb.cancelRequested()).containsExactly(b.id);
        assertThat(queue.find(a.id).orElseThrow().leaseExpiresAt).isAfter(before.leaseExpiresAt);
        assertThat(queue.heartbeat("w2", List.of(a.id), LEASE).held()).as("not w2's job").isEmpty();
    }

    @Test
    void cancelIsImmediateForQueuedJobsAndARequestForRunningOnes() {
        Job queued = enqueue(uniqueTarget());
        assertThat(queue.requestCancel(queued.id)).isInstanceOf(JobQueue.CancelResult.Cancelled.class);
        Job c = queue.find(queued.id).orElseThrow();
        assertThat(c.jobState()).isEqualTo(JobState.CANCELLED);
        assertThat(c.finishedAt).isNotNull();
        assertThat(queue.requestCancel(queued.id)).isInstanceOf(JobQueue.CancelResult.AlreadyFinished.class);

        Job running = enqueue(uniqueTarget());
        claimJob(running.id, "w1");
        assertThat(queue.requestCancel(running.id)).isInstanceOf(JobQueue.CancelResult.Requested.class);
        assertThat(queue.find(running.id).orElseThrow().jobState()).isEqualTo(JobState.RUNNING);
        assertThat(queue.cancelled(running.id, "w1")).isTrue();
        assertThat(queue.find(running.id).orElseThrow().jobState()).isEqualTo(JobState.CANCELLED);
        assertThat(queue.requestCancel(UUID.randomUUID())).isInstanceOf(JobQueue.CancelResult.NotFound.class);
    }

    @Test
    void releaseReturnsAJobWithoutSpendingAnAttempt() {
        Job job = enqueue(uniqueTarget());
        claimJob(job.id, "w1");
        assertThat(queue.release(job.id, "w1")).isTrue();
        Job back = queue.find(job.id).orElseThrow();
        assertThat(back.jobState()).isEqualTo(JobState.QUEUED);
        assertThat(back.attempt).isZero();
    }

    @Test
    void cleanerDeletesOnlyFinishedJobsOlderThanTheRetention() {
        Job old = enqueue(uniqueTarget());
        Job recent = enqueue(uniqueTarget());
        Job stillQueued = enqueue(uniqueTarget());
        queue.requestCancel(old.id);
        queue.requestCancel(recent.id);
        db.update("UPDATE job SET finished_at = now() - interval '400 days', created_at = now() - interval '400 days' WHERE id = ?", old.id);
        JobCleaner.Result r = cleaner.runOnce(Instant.now());
        assertThat(r.deleted()).isGreaterThanOrEqualTo(1);
        assertThat(queue.find(old.id)).isEmpty();
        assertThat(queue.find(recent.id)).isPresent();
        assertThat(queue.find(stillQueued.id)).isPresent();
    }
}
