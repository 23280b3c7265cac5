package dev.lifeboat.retention;

import dev.lifeboat.backup.BackupResult;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.IdempotencyKeys;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobFollowUp;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Optional;
import java.util.Set;

/**
 * A target with retention rules is pruned after each successful backup: a follow-up of the backup
 * job queues a {@code prune} job of the target (run after it, as the target's next job), with the
 * Idempotency-Key {@code prune-after-backup:<backup id>}.
 */
@ApplicationScoped
public class PruneAfterBackup implements JobFollowUp {
    @Inject
    Targets targets;
    @Inject
    JobQueue queue;

    @Override
    public String name() {
        return "prune-after-backup";
    }

    @Override
    public Set<String> kinds() {
        return Set.of(JobKind.BACKUP.id());
    }

    @Override
    public void run(Job job) {
        Optional<BackupResult> backup = queue.result(job, BackupResult.class);
        Optional<Target> target = targets.find(job.target);
        if (backup.isEmpty() || target.isEmpty() || target.get().retention().isEmpty()) {
            return;
        }
        try {
            queue.enqueue(new NewJob(new PruneArgs(), job.target, IdempotencyKeys.PRUNE_AFTER_BACKUP + backup.get().backupId()));
        } catch (IdempotencyConflictException e) {
            // the key names this backup: only a prune of it can have used it
        }
    }
}
