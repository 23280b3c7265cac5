package dev.lifeboat.job;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the {@link JobFollowUp}s of finished jobs, exactly once each:
 * <ul>
 *   <li>Every replica hears a job finish (the queue's NOTIFY, whose payload names the kind, so jobs
 *       nobody follows cost nothing) and runs the follow-ups of its kind on a thread of its own.</li>
 *   <li>Each follow-up runs in one transaction with its record in {@code job_follow_up}; the record's
 *       primary key lets one replica do it and makes the others skip it.</li>
 *   <li>A reconcile pass every minute runs what no replica did in the last day: the listener was
 *       reconnecting, every replica was down when the job finished (a rescued job failing), or a
 *       follow-up failed and its transaction was rolled back.</li>
 * </ul>
 * So a crash between "job finished" and "follow-up done" is healed, and nothing runs twice.
 */
@ApplicationScoped
public class FollowUps {
    private static final Logger LOG = Logger.getLogger(FollowUps.class);
    /** How far back the reconcile pass looks for jobs whose follow-ups did not run. */
    static final Duration RECONCILE_WINDOW = Duration.ofDays(1);
    private static final int RECONCILE_BATCH = 500;

    @Inject
    JobQueue queue;
    @Inject
    JobEvents events;
    @Inject
    Instance<JobFollowUp> beans;

    private List<JobFollowUp> followUps = List.of();
    private ThreadPoolExecutor executor;
    private final Consumer<JobEvents.Event> listener = this::heard;

    void start(@Observes @Priority(3100) StartupEvent ev) {
        List<JobFollowUp> all = new ArrayList<>();
        beans.forEach(all::add);
        followUps = List.copyOf(all);
        executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "lifeboat-follow-ups");
            t.setDaemon(true);
            return t;
        });
        events.subscribe(listener);
    }

    void stop(@Observes ShutdownEvent ev) {
        events.unsubscribe(listener);
        if (executor != null) {
            executor.shutdown();
        }
    }

    private void heard(JobEvents.Event e) {
        if (e.type() != JobEvents.Type.FINISHED || followUps.stream().noneMatch(f -> f.kinds().contains(e.kind()))) {
            return;
        }
        try {
            executor.execute(() -> jobFinished(e.jobId()));
        } catch (RejectedExecutionException full) {
            LOG.warnf("follow-up backlog full: job %s is followed up by the next reconcile pass", e.jobId());
        }
    }

    /** Runs the follow-ups of one finished job that have not run yet. */
    public void jobFinished(UUID jobId) {
        try {
            queue.find(jobId).filter(j -> j.jobState().terminal()).ifPresent(job -> {
                for (JobFollowUp f : followUps) {
                    if (f.kinds().contains(job.kind)) {
                        runOnce(f, job);
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("could not read job %s for its follow-ups (%s); the reconcile pass does them", jobId, e.getMessage());
        }
    }

    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledReconcile() {
        try {
            reconcile(queue.now().minus(RECONCILE_WINDOW));
        } catch (RuntimeException e) {
            LOG.warnf("follow-up reconcile failed: %s", e.getMessage());
        }
    }

    /** What one reconcile pass did. */
    public record Result(int looked, int ran) {
    }

    /** Runs every follow-up that did not run for a job finished since {@code since} (public for tests). */
    public Result reconcile(Instant since) {
        int looked = 0;
        int ran = 0;
        for (JobFollowUp f : followUps) {
            List<Job> waiting = queue.awaitingFollowUp(f.name(), f.kinds(), since, RECONCILE_BATCH);
            looked += waiting.size();
            for (Job job : waiting) {
                if (runOnce(f, job)) {
                    ran++;
                }
            }
        }
        return new Result(looked, ran);
    }

    /** One follow-up of one job, in one transaction with its record; returns whether it ran here now. */
    private boolean runOnce(JobFollowUp f, Job job) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (!queue.markFollowedUp(job.id, f.name())) {
                    return false; // done already, here or by another replica
                }
                f.run(job);
                return true;
            });
        } catch (RuntimeException e) {
            LOG.warnf("follow-up %s of job %s (%s) failed and is retried by the next reconcile pass: %s", f.name(), job.id, job.kind,
                    e.getMessage());
            return false;
        }
    }
}
