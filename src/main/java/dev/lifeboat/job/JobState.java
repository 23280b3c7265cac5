package dev.lifeboat.job;

import java.util.Locale;
import java.util.Optional;

/**
 * The life of a job. The database enforces the invariants of each state with CHECK constraints
 * (see V1__job_queue.sql); docs/job-states.md draws the machine.
 */
public enum JobState {
    /** Waiting for a worker. In: API insert, {@link JobQueue#retry}, {@link JobRescuer}, {@link JobQueue#release} at shutdown. Out: claim, cancel. */
    QUEUED,
    /** Held by one worker under a lease. In: {@link JobQueue#claim}. Out: complete/retry/fail/cancelled by that worker, or {@link JobRescuer}. */
    RUNNING,
    /** Terminal. In: the worker, from a handler's success. Out: {@link JobCleaner} after the retention period. */
    SUCCEEDED,
    /** Terminal. In: the worker (permanent error or attempts spent) or {@link JobRescuer}. Out: {@link JobCleaner}. */
    FAILED,
    /** Terminal. In: {@link JobQueue#requestCancel} for a queued job, the worker after a cancel request, or {@link JobRescuer} for a running job with a cancel request whose lease expired. Out: {@link JobCleaner}. */
    CANCELLED;

    public String db() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public static JobState fromDb(String s) {
        return valueOf(s.toUpperCase(Locale.ROOT));
    }

    public static Optional<JobState> parse(String s) {
        for (JobState st : values()) {
            if (st.db().equals(s)) {
                return Optional.of(st);
            }
        }
        return Optional.empty();
    }
}
