package dev.lifeboat.job;

import java.util.Set;

/**
 * What follows a finished job: a prune after a backup, webhook notifications, a drill's verdict on
 * its backup. Implementations are CDI beans in the packages whose work they start; the job handlers
 * know nothing of them. {@link FollowUps} runs each one once per finished job of its kinds, however
 * many replicas hear the job finish, and again later if a replica crashed before it was done.
 *
 * <p>{@link #run} is called inside a transaction of Lifeboat's own database, together with the record
 * that it ran: what it writes there (jobs it enqueues, catalog rows it updates, with
 * {@code QuarkusTransaction.joiningExisting()}) commits with that record or not at all. It must not
 * do slow or outside work itself (a webhook call is a {@code notify} job it enqueues). If it throws,
 * nothing of it is kept and it is tried again by the next reconcile pass.
 */
public interface JobFollowUp {
    /** Its name in {@code job_follow_up.name}: stable across versions (never rename). */
    String name();

    /** The job kinds it follows ({@link JobKind#id()}); jobs of other kinds never reach it. */
    Set<String> kinds();

    /** Does what follows the finished (succeeded, failed or cancelled) job. */
    void run(Job job) throws Exception;
}
