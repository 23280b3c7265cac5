package dev.lifeboat.job;

/**
 * Does the work of one job kind. Implementations are CDI beans; the worker pool claims only the
 * kinds it has handlers for, so a replica running an older version never takes a job it cannot do.
 *
 * <p>The handler declares the type of its arguments, and the queue reads the job row's JSON into it:
 * no handler parses a map. It returns an outcome with a typed result, which the queue stores as the
 * row's {@code result} JSON (never put secrets in it). A handler never touches the job table and
 * never starts what should follow its job (a prune after a backup, a notification): those are
 * {@link JobFollowUp}s of the finished job. Any exception counts as a retryable failure, except
 * {@link PermanentJobException}. A handler that starts child processes registers
 * {@link JobContext#onCancel} to kill them.
 *
 * @param <A> the arguments record of the kind
 * @param <R> the result record of the kind
 */
public interface JobHandler<A extends JobArgs, R> {
    /** The job kind this handler runs, e.g. {@code backup} ({@link JobKind#id()}). */
    String kind();

    /** The arguments record the job row's {@code args} JSON is read into. */
    Class<A> argsType();

    JobOutcome<R> run(JobContext context, A args) throws Exception;
}
