package dev.lifeboat.notify;

import dev.lifeboat.backup.BackupResult;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.drill.DrillResult;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.IdempotencyKeys;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobFollowUp;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import dev.lifeboat.job.NewJob;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Turns finished jobs into deliveries: a follow-up of every backup, restore, drill, verify, prune and
 * catalog rebuild (never of {@code notify} itself: no loops). For each webhook and each other channel
 * ({@link NotificationChannel}) that wants an event it enqueues a {@code notify} job with the
 * Idempotency-Key {@code notify:<webhook>:<event>:<job or backup id>} (webhooks, as ever) or
 * {@code notify:<channel>:<name>:<event>:<job or backup id>}. The deliveries run on workers of their own
 * ({@link NotifyHandler}), retried with the queue's backoff, so a slow or failing receiver never holds
 * up a backup.
 */
@ApplicationScoped
public class Notifier implements JobFollowUp {
    /** Kinds whose outcome is news. */
    static final Set<String> KINDS = Set.of(JobKind.BACKUP.id(), JobKind.RESTORE.id(), JobKind.DRILL.id(), JobKind.VERIFY.id(),
            JobKind.PRUNE.id(), JobKind.CATALOG_REBUILD.id());

    @Inject
    LifeboatConfig config;
    @Inject
    JobQueue queue;
    @Inject
    Instance<NotificationChannel> channels;

    @Override
    public String name() {
        return "notify";
    }

    @Override
    public Set<String> kinds() {
        return KINDS;
    }

    /** Queues the notifications a finished job calls for. */
    @Override
    public void run(Job job) {
        if (job.jobState() == JobState.FAILED) {
            send(NotificationEvent.JOB_FAILED, job, null, null, null);
        } else if (job.jobState() == JobState.SUCCEEDED) {
            send(NotificationEvent.JOB_SUCCEEDED, job, null, null, null);
            if (job.is(JobKind.DRILL)) {
                queue.result(job, DrillResult.class).ifPresent(r ->
                        send(r.passed() ? NotificationEvent.DRILL_PASSED : NotificationEvent.DRILL_FAILED, job, null, null, null));
            }
            if (job.is(JobKind.BACKUP)) {
                queue.result(job, BackupResult.class).filter(r -> !r.warnings().isEmpty())
                        .ifPresent(r -> send(NotificationEvent.ANOMALY_DETECTED, job, r.backupId(), r.warnings(), r.pinned()));
            }
        }
    }

    /** One {@code notify} job per webhook or channel that wants the event; about a backup when {@code backupId} is given (anomalies). */
    private void send(NotificationEvent event, Job job, UUID backupId, List<String> warnings, UUID pinned) {
        String about = backupId != null ? backupId.toString() : job.id.toString();
        for (NotificationChannel channel : channels) {
            channel.configured(config.notifications()).forEach((name, wanted) -> {
                if (wanted.events().stream().map(String::trim).noneMatch(e -> e.equals(event.id()) || e.equals(NotificationEvent.ALL.id()))) {
                    return;
                }
                String to = WebhookChannel.ID.equals(channel.id()) ? name : channel.id() + ":" + name;
                try {
                    queue.enqueue(new NewJob(NotifyArgs.of(channel.id(), name, event.id(), job.id, backupId, warnings, pinned), null,
                            IdempotencyKeys.NOTIFY + to + ":" + event.id() + ":" + about));
                } catch (IdempotencyConflictException alreadyQueued) {
                    // the key names this event: only its delivery can have used it
                }
            });
        }
    }
}
