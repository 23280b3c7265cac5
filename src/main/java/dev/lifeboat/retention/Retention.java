package dev.lifeboat.retention;

import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.target.RetentionRules;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A target's retention plan as of now: what the preview shows and what a prune carries out. */
@ApplicationScoped
public class Retention {
    /** Jobs that read a backup: a backup one of them will use is never pruned under it. */
    static final List<String> READERS = List.of(JobKind.RESTORE.id(), JobKind.DRILL.id(), JobKind.VERIFY.id());

    @Inject
    Targets targets;
    @Inject
    BackupCatalog catalog;
    @Inject
    JobQueue queue;
    @Inject
    Clock clock;

    public RetentionRules rules(String target) {
        return targets.find(target).map(t -> t.retention()).orElse(RetentionRules.NONE);
    }

    public List<RetentionPolicy.Decision> plan(String target) {
        return RetentionPolicy.decide(catalog.ofTarget(target), rules(target), clock.instant(), backupsInUse());
    }

    /** Backups a queued or running restore, drill or verify will read. */
    public Set<UUID> backupsInUse() {
        return queue.backupsInUse(READERS);
    }
}
