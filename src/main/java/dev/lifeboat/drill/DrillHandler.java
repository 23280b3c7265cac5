package dev.lifeboat.drill;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.backup.BackupLocation;
import dev.lifeboat.backup.CopyCheck;
import dev.lifeboat.backup.Manifest;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeDecryptionException;
import dev.lifeboat.crypto.AgeEncryption;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.crypto.AgeKeyException;
import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.pg.SnapshotSession;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
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

    /** One check of a drill. */
    public record Check(String name, boolean passed, String detail) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", name);
            m.put("passed", passed);
            m.put("detail", detail);
            return m;
        }
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
        Located copy = locate(backup);
        String problem = CopyCheck.problem(copy.store(), copy.location().key(), backup.sizeBytes, backup.sha256, ctx);
        if (problem != null) {
            checks.add(new Check("stored copy", false, "storage " + copy.store().name() + ": " + problem));
            return finish(backupId, checks, null);
        }
        checks.add(new Check("stored copy", true, "storage " + copy.store().name() + ": " + backup.sizeBytes
                + " bytes, SHA-256 " + backup.sha256 + " as recorded"));
        Manifest manifest = readManifest(copy);

        AgeIdentities identities = null;
        if (backup.encrypted) {
            try {
                identities = identities();
            } catch (AgeKeyException | IOException e) {
                checks.add(new Check("decryption key", false, e.getMessage()));
                return finish(backupId, checks, null);
            }
        }
        ctx.throwIfCancelled();

        // 2. Restore into a scratch database, always dropped afterwards.
        PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
        ServerInfo server = ServerInfo.probe(conn);
        PgTools.Tool pgRestore = pgTools.choose("pg_restore", Math.max(server.major(), majorOf(backup.pgDumpVersion)), target.name());
        String scratch = scratchName(ctx.jobId());
        dropLeftovers(conn);
        long started = System.nanoTime();
        Double restoreSeconds = null;
        try {
            createDatabase(conn, scratch);
            ctx.onCancel(() -> dropQuietly(conn, scratch));
            ctx.progress("restoring", 0L, backup.sizeBytes);
            String restoreError = restore(ctx, copy, backup, identities, pgRestore, conn.withDatabase(scratch), scratch);
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
            try (SnapshotSession restored = SnapshotSession.open(conn.withDatabase(scratch))) {
                checks.add(compareCounts(manifest.rowCounts(), restored.rowCounts()));
                if (manifest.schemaCounts() != null) {
                    boolean same = manifest.schemaCounts().equals(restored.schemaCounts());
                    checks.add(new Check("schema objects", same, same
                            ? "as in the backup: " + restored.schemaCounts()
                            : "backup " + manifest.schemaCounts() + ", restored " + restored.schemaCounts()));
                }
            }
            if ("mastodon".equals(target.profile())) {
                checks.addAll(MastodonChecks.run(conn.withDatabase(scratch), manifest, config.drill().freshnessWindow()));
            }
            checks.add(new Check("restore time", true, String.format("%.1f s to restore (RTO)", restoreSeconds)));
            return finish(backupId, checks, restoreSeconds);
        } finally {
            dropQuietly(conn, scratch);
        }
    }

    static String scratchName(UUID jobId) {
        return SCRATCH_PREFIX + jobId.toString().replace("-", "").substring(0, 16);
    }

    /**
     * Drops the scratch databases of drills that are no longer running (their worker crashed before it
     * could drop them) on this target's server. A scratch database of a drill running right now, on any
     * replica, is left alone: its name carries its job id.
     */
    void dropLeftovers(PgConnectInfo conn) {
        List<String> found = new ArrayList<>();
        try (Connection c = conn.open(); Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'lifeboat\\_drill\\_%'")) {
            while (rs.next()) {
                found.add(rs.getString(1));
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("cannot list leftover drill databases: %s", e.getMessage());
            return;
        }
        for (String name : found) {
            String suffix = name.substring(SCRATCH_PREFIX.length());
            try (Connection c = lifeboatDb.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*) FROM job WHERE kind = 'drill' AND state = 'running' AND replace(id::text, '-', '') LIKE ? || '%'")) {
                ps.setString(1, suffix);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) > 0) {
                        continue;
                    }
                }
            } catch (SQLException e) {
                continue; // cannot tell: leave it
            }
            LOG.warnf("dropping %s, the scratch database of a drill that is no longer running", name);
            dropQuietly(conn, name);
        }
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

    private record Located(BlobStore store, BackupLocation location) {
    }

    /** The first copy whose storage is still configured. */
    private Located locate(Backup backup) {
        for (BackupLocation loc : backup.locations) {
            try {
                return new Located(blobStores.get(loc.storage()), loc);
            } catch (IllegalArgumentException e) {
                // storage removed from the configuration: try the next copy
            }
        }
        throw new PermanentJobException("no storage of backup " + backup.id + " is configured any more: " + backup.locations.stream().map(BackupLocation::storage).toList());
    }

    private Manifest readManifest(Located copy) throws IOException {
        try (InputStream in = copy.store().open(copy.location().manifestKey())) {
            return json.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(in, Manifest.class);
        }
    }

    private AgeIdentities identities() throws IOException {
        var file = config.encryption().identityFile().orElseThrow(() -> new AgeKeyException(
                "the backup is encrypted but lifeboat.encryption.identity-file is not set. Hint: mount the age private key and point the setting at it"));
        return AgeIdentities.fromFile(file);
    }

    /** Streams the (decrypted) archive into pg_restore; returns what went wrong with the backup, or null. */
    private String restore(JobContext ctx, Located copy, Backup backup, AgeIdentities identities, PgTools.Tool pgRestore,
                           PgConnectInfo scratchConn, String scratch) throws Exception {
        if ("directory".equals(backup.format)) {
            return restoreDirectory(ctx, copy, backup, identities, pgRestore, scratchConn, scratch);
        }
        PgCommand cmd = PgCommand.of(pgRestore)
                .args("--no-owner", "--no-privileges", "--exit-on-error", "--no-password", "--dbname=" + scratch)
                .connection(scratchConn).timeout(config.pg().dumpTimeout())
                .stdin(true).stdout(PgCommand.Stdout.DISCARD);
        try (PgProcess p = PgProcess.start(cmd)) {
            p.cancelOn(ctx);
            String streamError = null;
            try (InputStream stored = copy.store().open(copy.location().key());
                 InputStream plain = identities == null ? stored : AgeEncryption.decrypt(stored, identities, "backup " + backup.id);
                 OutputStream toRestore = p.stdin()) {
                byte[] buf = new byte[256 * 1024];
                long done = 0;
                int n;
                while ((n = plain.read(buf)) >= 0) {
                    if (ctx.isCancelled()) {
                        throw new JobCancelledException(ctx.stopReason());
                    }
                    try {
                        toRestore.write(buf, 0, n);
                    } catch (IOException pipe) {
                        break; // pg_restore stopped reading: its exit status says why
                    }
                    done += n;
                    ctx.progress("restoring", done, null);
                }
            } catch (AgeDecryptionException e) {
                streamError = "decryption failed: " + e.getMessage();
                p.cancel();
            }
            try {
                p.waitFor();
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                return streamError != null ? streamError : "pg_restore failed: " + e.getMessage();
            }
            return streamError;
        }
    }

    /**
     * A {@code directory}-format backup is a tar of pg_dump's directory: it is unpacked into
     * {@code lifeboat.backup.scratch-dir} and restored with {@code pg_restore -Fd --jobs=N} (the
     * target's {@code jobs}), then the directory is removed.
     */
    private String restoreDirectory(JobContext ctx, Located copy, Backup backup, AgeIdentities identities, PgTools.Tool pgRestore,
                                    PgConnectInfo scratchConn, String scratch) throws Exception {
        java.nio.file.Path base = config.backup().scratchDir().orElse(java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
        java.nio.file.Files.createDirectories(base);
        java.nio.file.Path dir = base.resolve("lifeboat-restore-" + ctx.jobId());
        try {
            java.nio.file.Files.createDirectory(dir);
            try (InputStream stored = copy.store().open(copy.location().key());
                 InputStream plain = identities == null ? stored : AgeEncryption.decrypt(stored, identities, "backup " + backup.id);
                 org.apache.commons.compress.archivers.tar.TarArchiveInputStream tar =
                         new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(plain)) {
                org.apache.commons.compress.archivers.tar.TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    if (ctx.isCancelled()) {
                        throw new JobCancelledException(ctx.stopReason());
                    }
                    java.nio.file.Path file = dir.resolve(entry.getName()).normalize();
                    if (!file.getParent().equals(dir) || !entry.isFile()) {
                        return "the archive holds an unexpected entry '" + entry.getName() + "' (a pg_dump directory is flat)";
                    }
                    java.nio.file.Files.copy(tar, file);
                }
            } catch (AgeDecryptionException e) {
                return "decryption failed: " + e.getMessage();
            }
            int jobs = targets.find(backup.target).map(Target::jobs).orElse(1);
            PgCommand cmd = PgCommand.of(pgRestore)
                    .args("--no-owner", "--no-privileges", "--exit-on-error", "--no-password", "--format=directory",
                            "--jobs=" + jobs, "--dbname=" + scratch, dir.toString())
                    .connection(scratchConn).timeout(config.pg().dumpTimeout()).stdout(PgCommand.Stdout.DISCARD);
            try (PgProcess p = PgProcess.start(cmd)) {
                p.cancelOn(ctx);
                p.waitFor();
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                return "pg_restore failed: " + e.getMessage();
            }
            return null;
        } finally {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(dir)) {
                for (java.nio.file.Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            } catch (IOException | RuntimeException e) {
                LOG.warnf("could not remove the scratch directory %s (%s)", dir, e.getMessage());
            }
        }
    }

    private static Check compareCounts(Map<String, Long> expected, Map<String, Long> actual) {
        List<String> wrong = new ArrayList<>();
        for (String table : new TreeSet<>(expected.keySet())) {
            Long got = actual.get(table);
            if (!Objects.equals(expected.get(table), got)) {
                wrong.add(table + " has " + (got == null ? "no table" : got + " rows") + ", the backup had " + expected.get(table));
            }
        }
        for (String table : actual.keySet()) {
            if (!expected.containsKey(table)) {
                wrong.add(table + " exists, the backup had no such table");
            }
        }
        long rows = actual.values().stream().mapToLong(Long::longValue).sum();
        return wrong.isEmpty()
                ? new Check("row counts", true, expected.size() + " tables, " + rows + " rows, each as counted in the backup's snapshot")
                : new Check("row counts", false, String.join("; ", wrong.subList(0, Math.min(10, wrong.size())))
                        + (wrong.size() > 10 ? " (and " + (wrong.size() - 10) + " more)" : ""));
    }

    private static void createDatabase(PgConnectInfo conn, String name) throws SQLException {
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new PermanentJobException("role " + conn.username() + " may not create the drill database " + name
                        + ". Hint: ALTER ROLE " + conn.username() + " CREATEDB", e);
            }
            throw e;
        }
    }

    /**
     * Drops a scratch database. Plain {@code DROP DATABASE} first: it also stops an autovacuum worker that
     * just started on the freshly restored tables, which {@code WITH (FORCE)} may not do for a role that
     * is not a superuser ("must be a member of the role whose process is being terminated"). FORCE is the
     * fallback for sessions that are still connected (a pg_restore being killed).
     */
    static void dropQuietly(PgConnectInfo conn, String name) {
        String last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Connection c = conn.open(); Statement st = c.createStatement()) {
                try {
                    st.execute("DROP DATABASE IF EXISTS " + name);
                } catch (SQLException inUse) {
                    st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                }
                return;
            } catch (SQLException | RuntimeException e) {
                last = e.getMessage();
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        LOG.warnf("could not drop the drill database %s (%s); the next drill of this server drops it", name, last);
    }

    private static int majorOf(String version) {
        try {
            return Integer.parseInt(version.split("[.\\s]")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
