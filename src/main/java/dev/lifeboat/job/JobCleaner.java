package dev.lifeboat.job;

import dev.lifeboat.config.LifeboatConfig;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;

/** Deletes finished jobs older than {@code lifeboat.queue.retention}, in batches. */
@ApplicationScoped
public class JobCleaner {
    private static final Logger LOG = Logger.getLogger(JobCleaner.class);
    private static final int BATCH = 1000;

    @Inject
    JobQueue queue;
    @Inject
    LifeboatConfig config;

    public record Result(int deleted) {
    }

    @Scheduled(every = "${lifeboat.queue.clean-interval}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            Result r = runOnce(queue.now());
            if (r.deleted() > 0) {
                LOG.infof("deleted %d finished jobs older than %s", r.deleted(), config.queue().retention());
            }
        } catch (RuntimeException e) {
            LOG.warnf("cleaner pass failed: %s", e.getMessage());
        }
    }

    public Result runOnce(Instant now) {
        Instant cutoff = now.minus(config.queue().retention());
        int total = 0;
        int n;
        do {
            n = queue.deleteFinishedBefore(cutoff, BATCH);
            total += n;
        } while (n == BATCH);
        return new Result(total);
    }
}
