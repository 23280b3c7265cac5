package dev.lifeboat.schedule;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.drill.DrillHandler;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The internal scheduler: {@code lifeboat.targets.<name>.schedule.backup|drill} become quarkus-scheduler
 * jobs in every replica. Each fire enqueues with the Idempotency-Key
 * {@code schedule:<kind>:<target>:<scheduled fire time>}: every replica fires at the same scheduled
 * time, so they all ask for the same key and the queue keeps exactly one job per fire time, however
 * many replicas run (and whichever of them is up).
 */
@ApplicationScoped
public class Schedules {
    private static final Logger LOG = Logger.getLogger(Schedules.class);

    @Inject
    LifeboatConfig config;
    @Inject
    Scheduler scheduler;
    @Inject
    JobQueue queue;
    @Inject
    BackupCatalog catalog;

    void start(@Observes StartupEvent event) {
        config.targets().forEach((target, t) -> {
            t.schedule().backup().ifPresent(cron -> register(target, "backup", cron));
            t.schedule().drill().ifPresent(cron -> register(target, DrillHandler.KIND, cron));
        });
    }

    private void register(String target, String kind, String cron) {
        var job = scheduler.newJob("lifeboat-" + kind + "-" + target).setCron(cron)
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setDescription(kind + " of target " + target)
                .setTask(execution -> {
                    try {
                        fire(target, kind, execution.getScheduledFireTime());
                    } catch (RuntimeException e) {
                        LOG.errorf("scheduled %s of target %s could not be queued: %s", kind, target, e.getMessage());
                    }
                });
        config.schedule().timeZone().ifPresent(job::setTimeZone);
        job.schedule();
        LOG.infof("scheduled %s of target %s: %s", kind, target, cron);
    }

    /** The Idempotency-Key of one fire time: the same in every replica. */
    public static String key(String kind, String target, Instant scheduledFireTime) {
        return "schedule:" + kind + ":" + target + ":" + scheduledFireTime.getEpochSecond();
    }

    /**
     * Enqueues the {@code kind} job of {@code target} for one scheduled fire time (at most one per fire
     * time, whichever replicas call it). A drill drills the target's newest available backup; without
     * one it is skipped.
     *
     * @return the job's queue answer, or empty when a drill found nothing to drill
     */
    public Optional<JobQueue.Enqueued> fire(String target, String kind, Instant scheduledFireTime) {
        Map<String, Object> args = Map.of();
        if (DrillHandler.KIND.equals(kind)) {
            Optional<Backup> newest = catalog.newest(target);
            if (newest.isEmpty()) {
                LOG.warnf("scheduled drill of target %s skipped: it has no available backup yet", target);
                return Optional.empty();
            }
            args = Map.of("backupId", newest.get().id.toString());
        }
        JobQueue.Enqueued e;
        try {
            e = queue.enqueue(new NewJob(kind, target, args, key(kind, target, scheduledFireTime)));
        } catch (dev.lifeboat.job.IdempotencyConflictException conflict) {
            // Another replica queued this fire time's drill first, of a backup that was newest a moment earlier.
            LOG.debugf("scheduled %s of target %s already queued by another replica", kind, target);
            return Optional.empty();
        }
        if (e.created()) {
            LOG.infof("scheduled %s of target %s queued as job %s", kind, target, e.job().id);
        }
        return Optional.of(e);
    }
}
