package dev.lifeboat.support;

import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobFollowUp;
import dev.lifeboat.job.JobKind;
import jakarta.inject.Singleton;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A follow-up of backup jobs that tests can make fail: while {@link #failFor} names a target, it
 * throws for that target's backups (as a real follow-up would when Lifeboat's database went away
 * mid-way). It counts its attempts and successful runs per job.
 */
@Singleton // no client proxy: tests read the counters directly
public class FailingFollowUp implements JobFollowUp {
    public static volatile String failFor;
    public static final Map<UUID, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();
    public static final Map<UUID, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "test-failing";
    }

    @Override
    public Set<String> kinds() {
        return Set.of(JobKind.BACKUP.id());
    }

    @Override
    public void run(Job job) {
        ATTEMPTS.computeIfAbsent(job.id, id -> new AtomicInteger()).incrementAndGet();
        if (job.target != null && job.target.equals(failFor)) {
            throw new IllegalStateException("follow-up failed on purpose after backup " + job.id);
        }
        RUNS.computeIfAbsent(job.id, id -> new AtomicInteger()).incrementAndGet();
    }

    public static int attempts(String jobId) {
        return ATTEMPTS.getOrDefault(UUID.fromString(jobId), new AtomicInteger()).get();
    }

    public static int runs(String jobId) {
        return RUNS.getOrDefault(UUID.fromString(jobId), new AtomicInteger()).get();
    }
}
