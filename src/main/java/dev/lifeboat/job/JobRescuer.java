package dev.lifeboat.job;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.List;

/**
 * Returns jobs of dead workers to the queue: a running job whose lease expired (its replica was
 * killed, froze or lost the database) goes back to {@code queued} for its next attempt, or to
 * {@code failed} when its attempts are spent. Every replica runs it; SKIP LOCKED keeps them apart.
 */
@ApplicationScoped
public class JobRescuer {
    private static final Logger LOG = Logger.getLogger(JobRescuer.class);

    @Inject
    JobQueue queue;

    public record Result(int requeued, int failed, int cancelled) {
    }

    @Scheduled(every = "${lifeboat.queue.rescue-interval}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            runOnce(queue.now());
        } catch (RuntimeException e) {
            LOG.warnf("rescuer pass failed: %s", e.getMessage());
        }
    }

    public Result runOnce(Instant now) {
        List<JobQueue.Rescued> rescued = queue.rescueExpired(now);
        int requeued = 0, failed = 0, cancelled = 0;
        for (JobQueue.Rescued r : rescued) {
            switch (r.state()) {
                case QUEUED -> requeued++;
                case FAILED -> failed++;
                case CANCELLED -> cancelled++;
                default -> {
                }
            }
            LOG.warnf("rescued job %s whose worker stopped renewing its lease: now %s", r.id(), r.state().db());
        }
        return new Result(requeued, failed, cancelled);
    }
}
