package dev.lifeboat.drill;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.backup.Manifest;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.crypto.AgeKeyException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.restore.ArchiveRestore;
import dev.lifeboat.restore.Check;
import dev.lifeboat.restore.Databases;
import dev.lifeboat.restore.ManifestChecks;
import dev.lifeboat.restore.RestoreHandler;
import dev.lifeboat.restore.StoredBackup;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code drill} job ({@code args.backupId}): proves a backup restores. It checks the stored copy
 * against the catalog (size, SHA-256), decrypts it with {@code lifeboat.encryption.identity-file},
 * restores it with {@code pg_restore --exit-on-error} into a scratch database
 * {@code lifeboat_drill_<job>} on the target's server, compares the exact row counts and schema object
 * counts with the manifest, measures the restore time, and always drops the scratch database.
 *
 * <p>What the drill finds about the backup (a damaged copy, a wrong key, a restore error, counts that
 * disagree) is its result: the job {@code succeeded} with {@code passed: false} and a {@code reason}
 * naming the failed check, so the details are kept. Only trouble that says nothing about the backup
 * (the target server or the storage unreachable) fails or retries the job.
 */
@ApplicationScoped
public class DrillHandler implements JobHandler {
    private static final Logger LOG = Logger.getLogger(DrillHandler.class);
    public static final String KIND = "drill";
    public static final String SCRATCH_PREFIX = "lifeboat_drill_";

    @Inject
    LifeboatConfig config;
    @Inject
    Targets targets;
    @Inject
    PgTools pgTools;
    @Inject
    BlobStores blobStores;
    @Inject
    BackupCatalog catalog;
    @Inject
    ObjectMapper json;
    @Inject
    io.agroal.api.AgroalDataSource lifeboatDb;
    @Inject
    DrillRecorder recorder;

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public JobOutcome run(JobContext ctx) throws Exception {
        UUID backupId;
        try {
            backupId = UUID.fromString(String.valueOf(ctx.args().get("backupId")));
        } catch (IllegalArgumentException e) {
            throw new PermanentJobException("drill job without a valid backupId argument");
        }
        Backup backup = catalog.find(backupId).orElseThrow(() -> new PermanentJobException(
                "backup " + backupId + " is not in the catalog (deleted after the drill was queued?)"));
        Target target = targets.find(backup.target).orElseThrow(() -> new PermanentJobException(
                "target " + backup.target + " of backup " + backupId + " is no longer configured"));
        List<Check> checks = new ArrayList<>();

        // 1. The stored copy, before anything touches PostgreSQL.
        ctx.progress("checking", 0L, backup.sizeBytes);
        StoredBackup copy = StoredBackup.locate(backup, blobStores, json);
        String problem = copy.dumpProblem(ctx);
        if (problem != null) {
            checks.add(new Check("stored copy", false, "storage " + copy.store().name() + ": " + problem));
            return finish(backupId, checks, null);
        }
        checks.add(new Check("stored copy", true, "storage " + copy.store().name() + ": " + backup.sizeBytes
                + " bytes, SHA-256 " + backup.sha256 + " as recorded"));
        Manifest manifest;
        try {
            manifest = copy.manifest();
        } catch (StoredBackup.ManifestException e) {
            checks.add(new Check("manifest", false, e.getMessage()));
            return finish(backupId, checks, null);
        }

        AgeIdentities identities;
        try {
            identities = StoredBackup.identities(backup, config.encryption().identityFile());
        } catch (AgeKeyException | IOException e) {
            checks.add(new Check("decryption key", false, e.getMessage()));
            return finish(backupId, checks, null);
        }
        ctx.throwIfCancelled();

        // 2. Restore into a scratch database, always dropped afterwards.
        PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
        ServerInfo server = ServerInfo.probe(conn);
        PgTools.Tool pgRestore = pgTools.choose("pg_restore", Math.max(server.major(), ServerInfo.majorOf(backup.pgDumpVersion)), target.name());
        String scratch = scratchName(ctx.jobId());
        Databases.dropLeftovers(conn, lifeboatDb, SCRATCH_PREFIX, KIND);
        ArchiveRestore.sweepSpools(config.backup().scratchBase(), lifeboatDb);
        long started = System.nanoTime();
        Double restoreSeconds = null;
        try {
            Databases.createScratch(conn, scratch, "drill");
            ctx.onCancel(() -> Databases.dropQuietly(conn, scratch));
            ctx.progress("restoring", 0L, backup.sizeBytes);
            // Exactly as a restore of this target would: the same ownership and privilege options and jobs.
            int jobs = target.restore().jobs() > 1 ? target.restore().jobs() : "directory".equals(backup.format) ? target.jobs() : 1;
            ArchiveRestore.Options options = new ArchiveRestore.Options(RestoreHandler.ownership(target), jobs, config.backup().scratchBase(), null,
                    config.pg().dumpTimeout());
            String restoreError = ArchiveRestore.restore(ctx, copy, identities, pgRestore, conn.withDatabase(scratch), options);
            restoreSeconds = (System.nanoTime() - started) / 1e9;
            if (restoreError != null) {
                checks.add(new Check("pg_restore", false, restoreError));
                return finish(backupId, checks, restoreSeconds);
            }
            checks.add(new Check("pg_restore", true, String.format("restored into %s with %s %s in %.1f s",
                    scratch, pgRestore.name(), pgRestore.version(), restoreSeconds)));
            ctx.throwIfCancelled();

            // 3. What the restored database holds, against what the backup's snapshot held.
            ctx.progress("checking", null, null);
            checks.addAll(ManifestChecks.compare(conn.withDatabase(scratch), manifest));
            if ("mastodon".equals(target.profile())) {
                checks.addAll(MastodonChecks.run(conn.withDatabase(scratch), manifest, config.drill().freshnessWindow()));
            }
            checks.add(new Check("restore time", true, String.format("%.1f s to restore (RTO)", restoreSeconds)));
            return finish(backupId, checks, restoreSeconds);
        } finally {
            Databases.dropQuietly(conn, scratch);
        }
    }

    static String scratchName(UUID jobId) {
        return Databases.scratchName(SCRATCH_PREFIX, jobId);
    }

    private JobOutcome finish(UUID backupId, List<Check> checks, Double restoreSeconds) {
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("backupId", backupId.toString());
        result.put("passed", failed.isEmpty());
        result.put("restoreSeconds", restoreSeconds == null ? null : Math.round(restoreSeconds * 1000) / 1000.0);
        result.put("reason", failed.isEmpty() ? null : "failed check " + String.join("; ", failed));
        result.put("checks", checks.stream().map(Check::toMap).toList());
        recorder.record(backupId, failed.isEmpty(), restoreSeconds);
        if (failed.isEmpty()) {
            LOG.infof("drill of backup %s passed (%s s)", backupId, result.get("restoreSeconds"));
        } else {
            LOG.warnf("drill of backup %s FAILED: %s", backupId, result.get("reason"));
        }
        return JobOutcome.succeeded(result);
    }

}
