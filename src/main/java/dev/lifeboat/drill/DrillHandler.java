package dev.lifeboat.drill;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgPermanentException;
import dev.lifeboat.restore.Check;
import dev.lifeboat.restore.ScratchRestore;
import dev.lifeboat.target.Profile;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The {@code drill} job ({@link DrillArgs}): proves a backup restores. It is a {@link ScratchRestore}
 * of the backup (stored copy checked against the catalog, key proven, restored with the target's
 * restore settings into {@code lifeboat_drill_<job>} on the target's server), plus checks: the exact
 * row counts and schema object counts against the manifest, the target's profile (mastodon), and the
 * restore time; then the scratch database is always dropped.
 *
 * <p>What the drill finds about the backup (a damaged copy, a wrong key, a restore error, counts that
 * disagree) is its result: the job {@code succeeded} with {@code passed: false} and a {@code reason}
 * naming the failed check, so the details are kept. Only trouble that says nothing about the backup
 * (the target server or the storage unreachable) fails or retries the job. The verdict reaches the
 * backup's catalog entry and the metrics through {@link DrillRecorder}, a follow-up of the job.
 */
@ApplicationScoped
public class DrillHandler implements JobHandler<DrillArgs, DrillResult> {
    private static final Logger LOG = Logger.getLogger(DrillHandler.class);

    @Inject
    LifeboatConfig config;
    @Inject
    Targets targets;
    @Inject
    BackupCatalog catalog;
    @Inject
    ScratchRestore scratchRestore;

    @Override
    public String kind() {
        return JobKind.DRILL.id();
    }

    @Override
    public Class<DrillArgs> argsType() {
        return DrillArgs.class;
    }

    @Override
    public JobOutcome<DrillResult> run(JobContext ctx, DrillArgs args) throws Exception {
        try {
            Backup backup = backup(args);
            Target target = targets.find(backup.target).orElseThrow(() -> new PermanentJobException(
                    "target " + backup.target + " of backup " + backup.id + " is no longer configured"));
            ScratchRestore.Request request = new ScratchRestore.Request(backup, target, JobKind.DRILL, null, null, false);
            String serverName = args.server() != null ? args.server() : target.drill().server();
            ScratchRestore.Destination server = scratchRestore.server(target, serverName);
            long started = System.nanoTime();
            ScratchRestore.Scratch scratch;
            try {
                scratch = scratchRestore.restore(ctx, request, server);
            } catch (ScratchRestore.UnusableBackupException e) {
                return verdict(backup, failedChecks(backup, e), e.restoreSeconds(), null, null);
            }
            long restored = System.nanoTime();
            List<Check> checks;
            DrillResult.Versions versions;
            long checked;
            try {
                versions = new DrillResult.Versions(server.name(), backup.serverVersion, backup.pgDumpVersion,
                        server.info().version(), scratch.pgRestore().version());
                checks = checks(ctx, backup, target, scratch);
            } finally {
                checked = System.nanoTime();
                scratch.close(); // drops the scratch database
            }
            long restoreMillis = Math.round(scratch.restoreSeconds() * 1000);
            DrillResult.Millis millis = new DrillResult.Millis((restored - started) / 1_000_000 - restoreMillis, restoreMillis,
                    (checked - restored) / 1_000_000, (System.nanoTime() - checked) / 1_000_000);
            return verdict(backup, checks, scratch.restoreSeconds(), versions, millis);
        } catch (PgPermanentException e) {
            throw new PermanentJobException(e.getMessage(), e);
        }
    }

    private Backup backup(DrillArgs args) {
        UUID backupId = args.backupId();
        if (backupId == null) {
            throw new PermanentJobException("drill job without a backupId argument");
        }
        return catalog.find(backupId).orElseThrow(() -> new PermanentJobException(
                "backup " + backupId + " is not in the catalog (deleted after the drill was queued?)"));
    }

    /** The checks of a restored backup: what it holds against the backup's snapshot, the profile, and the time it took. */
    private List<Check> checks(JobContext ctx, Backup backup, Target target, ScratchRestore.Scratch scratch) throws Exception {
        List<Check> checks = new ArrayList<>();
        checks.add(storedCopyPassed(backup, scratch.storage(), scratch.passedOver()));
        checks.add(new Check("pg_restore", true, String.format("restored into %s%s with %s %s in %.1f s",
                scratch.name(), scratch.destination().name() == null ? "" : " on " + scratch.destination().describe()
                        + " (PostgreSQL " + scratch.destination().info().version() + ")",
                scratch.pgRestore().name(), scratch.pgRestore().version(), scratch.restoreSeconds())));
        ctx.throwIfCancelled();
        ctx.progress("checking", null, null);
        checks.addAll(scratch.manifestChecks());
        checks.add(SequenceChecks.run(scratch.conn()));
        switch (target.profile()) {
            case MASTODON -> checks.addAll(MastodonChecks.run(scratch.conn(), scratch.manifest(), config.drill().freshnessWindow()));
            case PEERTUBE -> checks.addAll(PeerTubeChecks.run(scratch.conn(), scratch.manifest(), config.drill().freshnessWindow()));
            case GENERIC -> {
            }
        }
        checks.addAll(CustomChecks.run(scratch.conn(), target.drill().checks()));
        checks.add(new Check("restore time", true, String.format("%.1f s to restore (RTO)", scratch.restoreSeconds())));
        return checks;
    }

    /** The checks of a backup the scratch restore found unusable: the steps before it passed, its own failed. */
    private static List<Check> failedChecks(Backup backup, ScratchRestore.UnusableBackupException e) {
        List<Check> checks = new ArrayList<>();
        if (e.step() != ScratchRestore.Step.STORED_COPY) {
            checks.add(storedCopyPassed(backup, null, List.of()));
        }
        checks.add(switch (e.step()) {
            case STORED_COPY -> new Check("stored copy", false, "storage " + e.storage() + ": " + e.getMessage());
            case MANIFEST -> new Check("manifest", false, e.getMessage());
            case KEY -> new Check("decryption key", false, "decryption failed before pg_restore started: " + e.getMessage());
            case PG_RESTORE -> new Check("pg_restore", false, e.getMessage());
            case SELECTION, GLOBALS -> new Check(e.step().name().toLowerCase(Locale.ROOT), false, e.getMessage());
        });
        return checks;
    }

    /** The stored copy used; the copies passed over (damaged or unreachable) are named, but the backup still restores. */
    private static Check storedCopyPassed(Backup backup, String storage, List<String> passedOver) {
        return new Check("stored copy", true, (storage == null ? "" : "storage " + storage + ": ") + backup.sizeBytes
                + " bytes, SHA-256 " + backup.sha256 + " as recorded"
                + (passedOver.isEmpty() ? "" : " (" + String.join("; ", passedOver) + ")"));
    }

    private static JobOutcome<DrillResult> verdict(Backup backup, List<Check> checks, Double restoreSeconds, DrillResult.Versions versions,
                                                   DrillResult.Millis millis) {
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
        Double rounded = restoreSeconds == null ? null : Math.round(restoreSeconds * 1000) / 1000.0;
        DrillResult result = new DrillResult(backup.id, failed.isEmpty(), rounded,
                failed.isEmpty() ? null : "failed check " + String.join("; ", failed), checks, versions, millis);
        if (failed.isEmpty()) {
            LOG.infof("drill of backup %s passed (%s s); ms %s", backup.id, rounded, millis);
        } else {
            LOG.warnf("drill of backup %s FAILED: %s", backup.id, result.reason());
        }
        return JobOutcome.succeeded(result);
    }
}
