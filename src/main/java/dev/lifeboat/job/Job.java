package dev.lifeboat.job;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One row of the {@code job} table as read at one moment: an immutable snapshot. Only
 * {@link JobQueue} reads and writes the table, and it maps rows here in one place. {@code args} and
 * {@code result} are the row's JSON as maps (what the API shows); {@link JobQueue#args} and
 * {@link JobQueue#result} read them as the kind's records. It never goes on the wire (see
 * {@code api.JobView}).
 */
public final class Job {
    public final UUID id;
    /** The kind's name, e.g. {@code backup} (see {@link JobKind}); a string, so rows of kinds this version does not know still load. */
    public final String kind;
    public final String target;
    /** The state as stored ({@code queued}, {@code running}, …); see {@link #jobState()}. */
    public final String state;
    public final Map<String, Object> args;
    public final Map<String, Object> result;
    public final String error;
    public final int attempt;
    public final int maxAttempts;
    public final Instant runAt;
    public final String lockedBy;
    public final Instant leaseExpiresAt;
    public final String idempotencyKey;
    public final Map<String, Object> progress;
    public final Instant cancelRequestedAt;
    public final Instant createdAt;
    public final Instant startedAt;
    public final Instant finishedAt;

    Job(UUID id, String kind, String target, String state, Map<String, Object> args, Map<String, Object> result, String error,
        int attempt, int maxAttempts, Instant runAt, String lockedBy, Instant leaseExpiresAt, String idempotencyKey,
        Map<String, Object> progress, Instant cancelRequestedAt, Instant createdAt, Instant startedAt, Instant finishedAt) {
        this.id = id;
        this.kind = kind;
        this.target = target;
        this.state = state;
        this.args = args == null ? Map.of() : args;
        this.result = result;
        this.error = error;
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.runAt = runAt;
        this.lockedBy = lockedBy;
        this.leaseExpiresAt = leaseExpiresAt;
        this.idempotencyKey = idempotencyKey;
        this.progress = progress;
        this.cancelRequestedAt = cancelRequestedAt;
        this.createdAt = createdAt;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
    }

    public JobState jobState() {
        return JobState.fromDb(state);
    }

    /** Whether this is a job of {@code kind}. */
    public boolean is(JobKind kind) {
        return kind.id().equals(this.kind);
    }

    @Override
    public String toString() {
        return "Job[" + id + " " + kind + (target == null ? "" : " of " + target) + ", " + state + "]";
    }
}
