package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeEncryption;
import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgDump;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.pg.SnapshotSession;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.storage.StoredObject;
import dev.lifeboat.storage.Upload;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The {@code backup} job: pg_dump of a target, streamed through SHA-256 and age encryption to every
 * storage of the target at once, each copy checked, then {@code manifest.json} written last and the
 * catalog row added. Anything short of that leaves nothing behind: uploads are aborted, committed
 * objects of this backup are deleted, and no catalog row exists.
 *
 * <p>Row counts are taken in the same exported snapshot as pg_dump's, on the control connection and
 * concurrently with the dump, so they cost no extra pass over the data in wall time.
 */
@ApplicationScoped
public class BackupHandler implements JobHandler {
    private static final Logger LOG = Logger.getLogger(BackupHandler.class);
    public static final String KIND = "backup";
    private static final int BUFFER = 256 * 1024;

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
    Clock clock;
    @Inject
    BackupMetrics backupMetrics;
    @Inject
    dev.lifeboat.job.JobQueue queue;
    @Inject
    dev.lifeboat.notify.Notifier notifier;

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public JobOutcome run(JobContext ctx) throws Exception {
        Target target = targets.find(ctx.target()).orElseThrow(() -> new PermanentJobException(
                "target '" + ctx.target() + "' is no longer configured. Hint: it was removed from lifeboat.targets after the job was queued"));
        long t0 = System.nanoTime();
        ctx.progress("connecting", null, null);
        PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
        ServerInfo server = ServerInfo.probe(conn);
        PgTools.Tool pgDump = pgTools.pgDump(server);
        List<String> recipients = recipients();
        List<BlobStore> stores = new ArrayList<>();
        for (String name : target.storage()) {
            stores.add(blobStores.get(name));
        }
        for (BlobStore store : stores) {
            LeftoverSweeper.sweep(store, target.name());
        }
        ctx.throwIfCancelled();

        UUID backupId = UUID.randomUUID();
        Written written = new Written();
        try (SnapshotSession snapshot = SnapshotSession.open(conn)) {
            String prefix = BackupKeys.prefix(target.name(), snapshot.snapshotTime(), backupId);
            try {
                ctx.throwIfCancelled();
                long tDump = System.nanoTime();
                StoredCopy dump = dump(ctx, target, conn, server, pgDump, snapshot, stores, prefix, recipients, written, backupId);
                long tFinish = System.nanoTime();
                Map<String, Long> rowCounts = dump.rowCounts();
                Manifest.StoredFile globals = target.globals()
                        ? globals(ctx, target, conn, server, stores, prefix, recipients, written) : null;
                ctx.throwIfCancelled();

                ctx.progress("finishing", dump.file().sizeBytes(), dump.file().sizeBytes());
                List<String> warnings = catalog.newest(target.name())
                        .map(previous -> Anomalies.find(previous, rowCounts, dump.file().sizeBytes(), config.anomaly()))
                        .orElse(List.of());
                Instant finished = clock.instant();
                Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, backupId, target.name(), conn.database(),
                        snapshot.snapshotTime().toInstant(), finished, target.format(), dump.file(), globals,
                        recipients.isEmpty() ? null : new Manifest.Encryption("age", recipients),
                        server.version(), server.versionNum(), pgDump.version(), conn.username(), rowCounts,
                        snapshot.schemaCounts(), snapshot.schemaMigrationsVersion().orElse(null), lifeboatVersion(), warnings);
                byte[] manifestBytes = manifestWriter().writeValueAsBytes(manifest);
                String manifestKey = prefix + BackupKeys.MANIFEST;
                List<BackupLocation> locations = new ArrayList<>();
                for (BlobStore store : stores) {
                    written.add(store, manifestKey);
                    try (Upload up = store.create(manifestKey)) {
                        up.write(manifestBytes);
                        up.commit();
                    }
                    locations.add(new BackupLocation(store.name(), prefix + dump.file().name(), manifestKey,
                            dump.file().sizeBytes(), dump.file().sha256(), config.backup().readBack() ? finished : null, null));
                }
                ctx.throwIfCancelled();

                Backup row = new Backup();
                row.id = backupId;
                row.target = target.name();
                row.database = conn.database();
                row.status = Backup.AVAILABLE;
                row.format = target.format();
                row.createdAt = manifest.createdAt();
                row.finishedAt = finished;
                row.sizeBytes = dump.file().sizeBytes();
                row.sha256 = dump.file().sha256();
                row.encrypted = !recipients.isEmpty();
                row.recipients = recipients;
                row.serverVersion = server.version();
                row.pgDumpVersion = pgDump.version();
                row.locations = locations;
                row.rowCounts = rowCounts;
                row.prefix = prefix;
                row.globals = globals != null;
                row.jobId = ctx.jobId();
                row.verifiedAt = config.backup().readBack() ? finished : null;
                row.warnings = warnings;
                catalog.add(row);
                if (!warnings.isEmpty()) {
                    LOG.warnf("backup %s of target %s looks wrong compared with the previous one: %s", backupId, target.name(), warnings);
                    backupMetrics.recordAnomaly(target.name());
                    notifier.anomaly(target.name(), ctx.jobId(), backupId, warnings);
                }
                backupMetrics.recordSuccess(target.name(), finished, dump.file().sizeBytes(), (System.nanoTime() - t0) / 1e9);
                schedulePrune(target.name(), backupId);
                written.clear(); // it is a good backup now: nothing to clean up

                Map<String, Object> result = new LinkedHashMap<>();
                result.put("backupId", backupId.toString());
                result.put("sizeBytes", dump.file().sizeBytes());
                result.put("sha256", dump.file().sha256());
                result.put("encrypted", row.encrypted);
                result.put("tables", rowCounts.size());
                result.put("rows", rowCounts.values().stream().mapToLong(Long::longValue).sum());
                result.put("locations", locations.stream().map(l -> l.storage() + ":" + l.key()).toList());
                result.put("warnings", warnings);
                long tEnd = System.nanoTime();
                // Where the time went: before pg_dump started, dump + upload, commit + read-back, manifest + catalog.
                Map<String, Object> millis = new LinkedHashMap<>();
                millis.put("preflight", (tDump - t0) / 1_000_000);
                millis.put("dump", (tFinish - tDump) / 1_000_000 - dump.checkMillis());
                millis.put("commitAndReadBack", dump.checkMillis());
                millis.put("finish", (tEnd - tFinish) / 1_000_000);
                result.put("millis", millis);
                LOG.infof("backup %s of target %s: %d bytes (sha256 %s) in %s; ms %s", backupId, target.name(),
                        dump.file().sizeBytes(), dump.file().sha256(), target.storage(), millis);
                return JobOutcome.succeeded(result);
            } finally {
                written.deleteAll(backupId);
            }
        }
    }

    private record StoredCopy(Manifest.StoredFile file, Map<String, Long> rowCounts, long checkMillis) {
    }

    /**
     * pg_dump → (age) → every store, counting rows meanwhile; then each copy is checked. The custom
     * format streams straight from pg_dump's stdout; the directory format is dumped in parallel into a
     * scratch directory first, then streamed as one tar.
     */
    private StoredCopy dump(JobContext ctx, Target target, PgConnectInfo conn, ServerInfo server, PgTools.Tool pgDump,
                            SnapshotSession snapshot, List<BlobStore> stores, String prefix, List<String> recipients,
                            Written written, UUID backupId) throws Exception {
        String name = BackupKeys.dumpName(target.format(), !recipients.isEmpty());
        String key = prefix + name;
        List<Upload> uploads = new ArrayList<>();
        CompletableFuture<Map<String, Long>> counts = null;
        try {
            for (BlobStore store : stores) {
                written.add(store, key);
                uploads.add(store.create(key));
            }
            // A cancel aborts the uploads from the worker's thread: the copy loop's next write fails at once.
            ctx.onCancel(() -> uploads.forEach(Upload::abort));
            ctx.throwIfCancelled();
            FanOutOutputStream fanOut = new FanOutOutputStream(uploads);
            DigestingOutputStream stored = new DigestingOutputStream(fanOut, false);
            OutputStream sink = recipients.isEmpty() ? stored : AgeEncryption.encrypt(stored, recipients);
            counts = CompletableFuture.supplyAsync(snapshot::rowCounts, r -> {
                Thread t = new Thread(r, "lifeboat-row-counts");
                t.setDaemon(true);
                t.start();
            });
            try {
                if ("directory".equals(target.format())) {
                    DirectoryDump.run(ctx, config, pgDump, conn, snapshot.snapshotId(), target.jobs(), backupId, server.databaseSize(), sink);
                } else {
                    dumpCustom(ctx, pgDump, conn, snapshot.snapshotId(), server.databaseSize(), sink);
                }
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                if (BackupFailure.isPermanent(e)) {
                    throw new PermanentJobException(e.getMessage(), e);
                }
                throw e;
            } catch (IOException e) {
                // A storage failure, possibly reworded by the encryption stream: report the storage's own error.
                throw fanOut.failure() != null ? fanOut.failure() : e;
            }
            try {
                sink.close(); // age writes its last, authenticated chunk
            } catch (IOException e) {
                throw fanOut.failure() != null ? fanOut.failure() : e;
            }
            Map<String, Long> rowCounts = await(counts);
            ctx.throwIfCancelled();

            long size = stored.count();
            String sha256 = stored.sha256Hex();
            long tCheck = System.nanoTime();
            ctx.progress("verifying", 0L, size * stores.size());
            for (int i = 0; i < uploads.size(); i++) {
                StoredObject o = uploads.get(i).commit();
                if (o.sizeBytes() != size) {
                    throw new IOException("storage " + stores.get(i).name() + " stored " + o.sizeBytes() + " bytes of "
                            + key + " but " + size + " were written");
                }
            }
            long checked = 0;
            for (BlobStore store : stores) {
                ctx.throwIfCancelled();
                String problem = CopyCheck.problem(store, key, size, config.backup().readBack() ? sha256 : null, ctx);
                if (problem != null) {
                    throw new IOException("the copy just stored in " + store.name() + " does not match what was written: " + problem
                            + ". Hint: the storage lost or altered data in transit; the job is retried");
                }
                checked += size;
                ctx.progress("verifying", checked, size * stores.size());
            }
            return new StoredCopy(new Manifest.StoredFile(name, size, sha256), rowCounts, (System.nanoTime() - tCheck) / 1_000_000);
        } finally {
            uploads.forEach(Upload::abort); // no-op for committed ones
            if (counts != null && !counts.isDone()) {
                snapshot.cancelRunningQuery();
            }
        }
    }

    /** pg_dump -Fc, its stdout copied into {@code sink} as it comes. */
    private void dumpCustom(JobContext ctx, PgTools.Tool pgDump, PgConnectInfo conn, String snapshotId, long estimate,
                            OutputStream sink) throws Exception {
        PgDump dump = PgDump.of(config.pg(), snapshotId);
        ctx.progress("dumping", 0L, estimate);
        try (PgProcess p = dump.start(pgDump, conn)) {
            p.cancelOn(ctx);
            copy(ctx, p.stdout(), sink, estimate);
            p.waitFor();
        }
    }

    /** pg_dumpall --globals-only (roles without passwords, tablespaces), stored beside the dump. */
    private Manifest.StoredFile globals(JobContext ctx, Target target, PgConnectInfo conn, ServerInfo server,
                                        List<BlobStore> stores, String prefix, List<String> recipients,
                                        Written written) throws Exception {
        ctx.progress("globals", null, null);
        PgTools.Tool pgDumpall = pgTools.choose("pg_dumpall", server.major(), target.name());
        String name = BackupKeys.globalsName(!recipients.isEmpty());
        String key = prefix + name;
        List<Upload> uploads = new ArrayList<>();
        try {
            for (BlobStore store : stores) {
                written.add(store, key);
                uploads.add(store.create(key));
            }
            DigestingOutputStream stored = new DigestingOutputStream(new FanOutOutputStream(uploads), false);
            OutputStream sink = recipients.isEmpty() ? stored : AgeEncryption.encrypt(stored, recipients);
            PgCommand cmd = PgCommand.of(pgDumpall)
                    .args("--globals-only", "--no-role-passwords", "--no-password", "--database=" + conn.database())
                    .connection(conn).timeout(config.pg().dumpTimeout());
            try (PgProcess p = PgProcess.start(cmd)) {
                p.cancelOn(ctx);
                p.stdout().transferTo(sink);
                p.waitFor();
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                throw new PermanentJobException("globals=true for target " + target.name() + " but pg_dumpall --globals-only failed: "
                        + e.getMessage() + " Hint: the role needs to read pg_roles (PostgreSQL 10+), or set globals=false", e);
            }
            sink.close();
            long size = stored.count();
            String sha256 = stored.sha256Hex();
            for (Upload u : uploads) {
                u.commit();
            }
            for (BlobStore store : stores) {
                String problem = CopyCheck.problem(store, key, size, sha256, ctx);
                if (problem != null) {
                    throw new IOException("the roles file just stored in " + store.name() + " does not match what was written: " + problem);
                }
            }
            return new Manifest.StoredFile(name, size, sha256);
        } finally {
            uploads.forEach(Upload::abort);
        }
    }

    private void copy(JobContext ctx, InputStream in, OutputStream out, long estimate) throws IOException {
        byte[] buf = new byte[BUFFER];
        long done = 0;
        long lastReport = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (ctx.isCancelled()) {
                throw new JobCancelledException(ctx.stopReason());
            }
            out.write(buf, 0, n);
            done += n;
            if (done - lastReport >= 4 * 1024 * 1024) {
                ctx.progress("dumping", done, Math.max(estimate, done));
                lastReport = done;
            }
        }
        ctx.progress("dumping", done, Math.max(estimate, done));
    }

    private static Map<String, Long> await(CompletableFuture<Map<String, Long>> f) throws Exception {
        try {
            return f.get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private volatile com.fasterxml.jackson.databind.ObjectWriter manifestWriter;

    /** Pretty-printed, ISO-8601 times; built once (copying an ObjectMapper per backup cost ~150 ms). */
    private com.fasterxml.jackson.databind.ObjectWriter manifestWriter() {
        if (manifestWriter == null) {
            manifestWriter = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                    .writerWithDefaultPrettyPrinter();
        }
        return manifestWriter;
    }

    List<String> recipients() {
        List<String> out = new ArrayList<>();
        for (String r : config.encryption().recipients().orElse(List.of())) {
            if (!r.isBlank()) {
                out.add(r.trim());
            }
        }
        return List.copyOf(out);
    }

    static String lifeboatVersion() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
    }

    /** The objects a backup in progress has created (or may have), deleted unless it completes. */
    private static final class Written {
        private final List<Map.Entry<BlobStore, String>> objects = new ArrayList<>();

        synchronized void add(BlobStore store, String key) {
            objects.add(Map.entry(store, key));
        }

        synchronized void clear() {
            objects.clear();
        }

        synchronized void deleteAll(UUID backupId) {
            // The manifest first: from then on the directory no longer claims to be a backup.
            objects.sort((a, b) -> Boolean.compare(!a.getValue().endsWith(BackupKeys.MANIFEST), !b.getValue().endsWith(BackupKeys.MANIFEST)));
            for (Map.Entry<BlobStore, String> o : objects) {
                try {
                    o.getKey().delete(o.getValue());
                } catch (IOException | RuntimeException e) {
                    LOG.warnf("backup %s failed and its object %s in storage %s could not be removed (%s); delete it by hand",
                            backupId, o.getValue(), o.getKey().name(), e.getMessage());
                }
            }
            objects.clear();
        }
    }

    /** A target with retention rules is pruned after each successful backup (a job of its own, run after this one). */
    private void schedulePrune(String target, UUID backupId) {
        var t = config.targets().get(target);
        if (t == null || dev.lifeboat.retention.RetentionRules.of(t.retention()).isEmpty()) {
            return;
        }
        try {
            queue.enqueue(new dev.lifeboat.job.NewJob(dev.lifeboat.retention.PruneHandler.KIND, target, Map.of(), "prune-after-backup:" + backupId));
        } catch (RuntimeException e) {
            LOG.warnf("could not queue the prune after backup %s of %s: %s (the next backup or POST /prune does it)", backupId, target, e.getMessage());
        }
    }
}
