package dev.lifeboat.schedule;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.backup.BackupArgs;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.drill.DrillArgs;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.IdempotencyKeys;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.Instant;
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
    @Inject
    Targets targets;

    void start(@Observes StartupEvent event) {
        for (Target t : targets.all()) {
            if (t.schedule().backup() != null) {
                register(t.name(), JobKind.BACKUP, t.schedule().backup());
            }
            if (t.schedule().drill() != null) {
                register(t.name(), JobKind.DRILL, t.schedule().drill());
            }
        }
    }

    private void register(String target, JobKind kind, String cron) {
        var job = scheduler.newJob("lifeboat-" + kind.id() + "-" + target).setCron(cron)
                .setConcurrentExecution(Scheduled.ConcurrentExecution.SKIP)
                .setDescription(kind.id() + " of target " + target)
                .setTask(execution -> {
                    try {
                        fire(target, kind, execution.getScheduledFireTime());
                    } catch (RuntimeException e) {
                        LOG.errorf("scheduled %s of target %s could not be queued: %s", kind.id(), target, e.getMessage());
                    }
                });
        config.schedule().timeZone().ifPresent(job::setTimeZone);
        job.schedule();
        LOG.infof("scheduled %s of target %s: %s", kind.id(), target, cron);
    }

    /** The Idempotency-Key of one fire time: the same in every replica. */
    public static String key(JobKind kind, String target, Instant scheduledFireTime) {
        return IdempotencyKeys.SCHEDULE + kind.id() + ":" + target + ":" + scheduledFireTime.getEpochSecond();
    }

    /**
     * Enqueues the {@code kind} job of {@code target} for one scheduled fire time (at most one per fire
     * time, whichever replicas call it). A drill drills the target's newest available backup; without
     * one it is skipped.
     *
     * @return the job's queue answer, or empty when a drill found nothing to drill
     */
    public Optional<JobQueue.Enqueued> fire(String target, JobKind kind, Instant scheduledFireTime) {
        JobArgs args;
        if (kind == JobKind.DRILL) {
            Optional<Backup> newest = catalog.newest(target);
            if (newest.isEmpty()) {
                LOG.warnf("scheduled drill of target %s skipped: it has no available backup yet", target);
                return Optional.empty();
            }
            args = new DrillArgs(newest.get().id);
        } else if (kind == JobKind.BACKUP) {
            args = new BackupArgs();
        } else {
            throw new IllegalArgumentException("only backups and drills are scheduled, not " + kind.id());
        }
        JobQueue.Enqueued e;
        try {
            e = queue.enqueue(new NewJob(args, target, key(kind, target, scheduledFireTime)));
        } catch (IdempotencyConflictException conflict) {
            // Another replica queued this fire time's drill first, of a backup that was newest a moment earlier.
            LOG.debugf("scheduled %s of target %s already queued by another replica", kind.id(), target);
            return Optional.empty();
        }
        if (e.created()) {
            LOG.infof("scheduled %s of target %s queued as job %s", kind.id(), target, e.job().id);
        }
        return Optional.of(e);
    }
}
