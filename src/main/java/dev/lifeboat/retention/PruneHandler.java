package dev.lifeboat.retention;

import dev.lifeboat.backup.BackupRemover;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.target.RetentionRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code prune} job of a target: deletes the backups its retention rules do not keep (see
 * {@link RetentionPolicy}), objects before catalog rows. A crash or an unreachable storage in between
 * leaves the row, and the next prune deletes it again (deleting a missing object is fine). As the
 * job of its target it never runs beside that target's backup, restore or drill.
 */
@ApplicationScoped
public class PruneHandler implements JobHandler<PruneArgs, PruneResult> {
    private static final Logger LOG = Logger.getLogger(PruneHandler.class);

    @Inject
    Retention retention;
    @Inject
    BackupRemover remover;

    @Override
    public String kind() {
        return JobKind.PRUNE.id();
    }

    @Override
    public Class<PruneArgs> argsType() {
        return PruneArgs.class;
    }

    @Override
    public JobOutcome<PruneResult> run(JobContext ctx, PruneArgs args) throws Exception {
        String target = ctx.target();
        RetentionRules rules = retention.rules(target);
        List<RetentionPolicy.Decision> plan = retention.plan(target);
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (RetentionPolicy.Decision d : plan) {
            if (d.keep()) {
                continue;
            }
            ctx.throwIfCancelled();
            try {
                remover.remove(d.backup());
                deleted.add(d.backup().id.toString());
                LOG.infof("prune of %s: deleted backup %s of %s (no rule keeps it)", target, d.backup().id, d.backup().createdAt);
            } catch (IOException e) {
                failed.add(d.backup().id + ": " + e.getMessage());
            }
        }
        if (!failed.isEmpty()) {
            // Retried later: what could be deleted is gone, the rest is still in the catalog.
            throw new IOException("prune of " + target + " could not delete " + failed.size() + " backup(s): " + String.join("; ", failed));
        }
        return JobOutcome.succeeded(new PruneResult(target, rules.describe(), plan.size() - deleted.size(), deleted));
    }
}
