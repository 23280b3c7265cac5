package dev.lifeboat.job;

/**
 * Does the work of one job kind. Implementations are CDI beans; the worker pool claims only the
 * kinds it has handlers for, so a replica running an older version never takes a job it cannot do.
 *
 * <p>A handler never touches the job table: it returns an outcome and the worker records it. Any
 * exception counts as a retryable failure, except {@link PermanentJobException}. A handler that
 * starts child processes registers {@link JobContext#onCancel} to kill them.
 */
public interface JobHandler {
    /** The job kind this handler runs, e.g. {@code backup}. */
    String kind();

    JobOutcome run(JobContext context) throws Exception;
}
