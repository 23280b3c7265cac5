package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lifeboat.compress.Zstd;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeEncryption;
import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.ArchiveCounts;
import dev.lifeboat.pg.ArchiveRowCounter;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgDump;
import dev.lifeboat.pg.PgPermanentException;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.pg.SnapshotSession;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.storage.StoredObject;
import dev.lifeboat.storage.Upload;
import dev.lifeboat.target.Compression;
import dev.lifeboat.target.DumpFormat;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * <p>The catalog commit is the point of no return: from then on the backup exists, and nothing may
 * delete its objects. So it is the handler's last act; what follows a backup (a prune, anomaly
 * notifications, metrics) are follow-ups of the finished job, never part of it.
 *
 * <p>Row counts are taken in the same exported snapshot as pg_dump's, on the control connection and
 * concurrently with the dump, so they cost no extra pass over the data in wall time.
 */
@ApplicationScoped
public class BackupHandler implements JobHandler<BackupArgs, BackupResult> {
    private static final Logger LOG = Logger.getLogger(BackupHandler.class);
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

    /** Pretty-printed, ISO-8601 times; built once (copying an ObjectMapper per backup cost ~150 ms). */
    private ObjectWriter manifestWriter;

    @PostConstruct
    void init() {
        manifestWriter = json.copy().disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).writerWithDefaultPrettyPrinter();
    }

    @Override
    public String kind() {
        return JobKind.BACKUP.id();
    }

    @Override
    public Class<BackupArgs> argsType() {
        return BackupArgs.class;
    }

    /** What the pre-flight found: where to connect, the server, the tool that fits it, keys and stores. */
    private record Preflight(Target target, PgConnectInfo conn, ServerInfo server, PgTools.Tool pgDump,
                             List<String> recipients, List<BlobStore> stores, CompletableFuture<Void> sweep) {
    }

    /**
     * The dump as stored: its manifest entry, the archive's size before compression and encryption, its row
     * counts and where they come from.
     */
    private record StoredCopy(Manifest.StoredFile file, long archiveBytes, Map<String, Long> rowCounts, String rowCountsFrom) {
    }

    @Override
    public JobOutcome<BackupResult> run(JobContext ctx, BackupArgs args) throws Exception {
        try {
            PhaseTimer timer = new PhaseTimer();
            Preflight pre = preflight(ctx, timer);
            UUID backupId = UUID.randomUUID();
            Written written = new Written(backupId);
            try (SnapshotSession snapshot = SnapshotSession.open(pre.conn())) {
                timer.mark("snapshot");
                awaitSweep(pre);
                timer.mark("sweep");
                ctx.throwIfCancelled();
                return JobOutcome.succeeded(store(ctx, pre, snapshot, backupId, written, timer));
            } finally {
                pre.sweep().exceptionally(x -> null).join(); // never left running beside a later attempt's uploads
                written.deleteAll(); // nothing, once the catalog row committed
            }
        } catch (PgPermanentException e) {
            throw new PermanentJobException(e.getMessage(), e);
        }
    }

    /**
     * The backup's phases, in the order that keeps a half-made backup from ever looking complete: the
     * dump into every storage (each copy read back), the roles, the manifest last among the objects,
     * then the catalog row, which makes the backup exist.
     */
    private BackupResult store(JobContext ctx, Preflight pre, SnapshotSession snapshot, UUID backupId, Written written,
                               PhaseTimer timer) throws Exception {
        String prefix = BackupKeys.prefix(pre.target().name(), snapshot.snapshotTime(), backupId);
        ctx.throwIfCancelled();
        StoredCopy dump = dump(ctx, pre, snapshot, prefix, written, backupId, timer);
        Manifest.StoredFile globals = pre.target().globals() ? globals(ctx, pre, prefix, written) : null;
        ctx.throwIfCancelled();
        ctx.progress("finishing", dump.file().sizeBytes(), dump.file().sizeBytes());
        Comparison comparison = compareWithPrevious(pre.target(), dump);
        Manifest manifest = manifest(pre, snapshot, backupId, dump, globals, comparison.warnings());
        List<BackupLocation> locations = storeManifest(pre, prefix, dump, manifest, written);
        ctx.throwIfCancelled();
        // The point of no return: once the row commits the backup exists, and nothing after it may fail the job.
        UUID pinned = commit(ctx, manifest, prefix, locations, comparison, written);
        timer.mark("finish");
        BackupResult.Millis millis = BackupResult.Millis.of(timer);
        LOG.infof("backup %s of target %s: %d bytes (sha256 %s) in %s; ms %s", backupId, pre.target().name(),
                dump.file().sizeBytes(), dump.file().sha256(), pre.target().storage(), millis);
        return result(manifest, locations, pinned, millis);
    }

    /**
     * Everything that can fail before anything is written: the target still configured, connection and
     * server version, a pg_dump that can dump it, the storages; and what interrupted backups of the target
     * left in them is removed (no other backup of the target can be running: one running job per target).
     */
    private Preflight preflight(JobContext ctx, PhaseTimer timer) throws IOException {
        Target target = targets.find(ctx.target()).orElseThrow(() -> new PermanentJobException(
                "target '" + ctx.target() + "' is no longer configured. Hint: it was removed from lifeboat.targets after the job was queued"));
        ctx.progress("connecting", null, null);
        List<BlobStore> stores = new ArrayList<>();
        for (String name : target.storage()) {
            stores.add(blobStores.get(name));
        }
        // The sweep (storage) runs beside the connection checks and the snapshot (PostgreSQL); it ends before
        // this backup writes anything (awaitSweep), and before the job ends whatever happens.
        CompletableFuture<Void> sweep = CompletableFuture.runAsync(() -> {
            for (BlobStore store : stores) {
                try {
                    LeftoverSweeper.sweep(store, target.name());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }, r -> {
            Thread t = new Thread(r, "lifeboat-sweep");
            t.setDaemon(true);
            t.start();
        });
        try {
            PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
            ServerInfo server = ServerInfo.probe(conn);
            PgTools.Tool pgDump = pgTools.pgDump(server);
            timer.mark("connect");
            return new Preflight(target, conn, server, pgDump, recipients(), List.copyOf(stores), sweep);
        } catch (RuntimeException e) {
            sweep.exceptionally(x -> null).join();
            throw e;
        }
    }

    /** Waits for the sweep of leftovers; its storage error, if any, fails the backup (it is retried). */
    private static void awaitSweep(Preflight pre) throws IOException {
        try {
            pre.sweep().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * pg_dump → (zstd) → (age) → every store, counting rows meanwhile; then each copy is checked. The custom
     * format streams straight from pg_dump's stdout; the directory format is dumped in parallel into a
     * scratch directory first, then streamed as one tar.
     */
    private StoredCopy dump(JobContext ctx, Preflight pre, SnapshotSession snapshot, String prefix, Written written,
                            UUID backupId, PhaseTimer timer) throws Exception {
        Compression compression = pre.target().compression();
        String name = BackupKeys.dumpName(pre.target().format(), compression.algorithm(), !pre.recipients().isEmpty());
        String key = prefix + name;
        List<Upload> uploads = new ArrayList<>();
        CompletableFuture<Map<String, Long>> counts = null;
        ArchiveTap archive = null;
        boolean closed = false;
        try {
            for (BlobStore store : pre.stores()) {
                written.add(store, key);
                uploads.add(store.create(key));
            }
            // A cancel aborts the uploads from the worker's thread: the copy loop's next write fails at once.
            ctx.onCancel(() -> uploads.forEach(Upload::abort));
            ctx.throwIfCancelled();
            FanOutOutputStream fanOut = new FanOutOutputStream(uploads);
            DigestingOutputStream stored = new DigestingOutputStream(fanOut, false);
            OutputStream encrypted = pre.recipients().isEmpty() ? stored : AgeEncryption.encrypt(stored, pre.recipients());
            OutputStream compressed = compression.algorithm() == Compression.Algorithm.ZSTD
                    ? Zstd.compress(encrypted, compression.zstdLevel(), compression.threads()) : encrypted;
            // Row counts: read from the archive as it streams by when pg_dump wrote it uncompressed; with pg_dump's own
            // gzip, counted in the snapshot while pg_dump runs.
            boolean custom = pre.target().format() == DumpFormat.CUSTOM;
            ArchiveRowCounter counter = compression.plainArchive() && custom ? new ArchiveRowCounter() : null;
            archive = new ArchiveTap(compressed, counter);
            if (!compression.plainArchive()) {
                counts = CompletableFuture.supplyAsync(snapshot::rowCounts, r -> {
                    Thread t = new Thread(r, "lifeboat-row-counts");
                    t.setDaemon(true);
                    t.start();
                });
            }
            timer.mark("open");
            Optional<ArchiveCounts> fromDirectory = runPgDump(ctx, pre, snapshot, backupId, archive, fanOut);
            try {
                closed = true;
                archive.close(); // zstd writes its frame's end, age its last, authenticated chunk
            } catch (IOException e) {
                throw fanOut.failure() != null ? fanOut.failure() : e;
            }
            timer.mark("dump");
            Optional<ArchiveCounts> fromArchive = counter != null ? counter.result() : fromDirectory;
            if (counter != null && fromArchive.isEmpty()) {
                LOG.infof("backup %s: row counts not read from the archive (%s)", backupId, counter.unsupportedReason());
            }
            Map<String, Long> rowCounts;
            String countsFrom;
            if (fromArchive.isPresent()) {
                rowCounts = snapshot.rowCounts(fromArchive.get());
                countsFrom = Manifest.COUNTS_FROM_ARCHIVE;
            } else {
                rowCounts = counts != null ? await(counts) : snapshot.rowCounts(); // gzip, or an archive the counter does not know
                countsFrom = Manifest.COUNTS_FROM_SNAPSHOT;
            }
            timer.mark("counts");
            ctx.throwIfCancelled();
            Manifest.StoredFile file = new Manifest.StoredFile(name, stored.count(), stored.sha256Hex());
            commitAndCheck(ctx, pre.stores(), uploads, key, file);
            timer.mark("check");
            return new StoredCopy(file, archive.count(), rowCounts, countsFrom);
        } finally {
            uploads.forEach(Upload::abort); // no-op for committed ones
            if (archive != null && !closed) {
                closeQuietly(archive); // frees zstd's native memory; its last writes go to aborted uploads
            }
            if (counts != null && !counts.isDone()) {
                snapshot.cancelRunningQuery();
            }
        }
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException | RuntimeException e) {
            LOG.debugf("closing the pipeline of a failed backup: %s", e.getMessage());
        }
    }

    /**
     * Runs pg_dump in the target's format into {@code sink}; errors that retrying cannot fix fail the job for good.
     *
     * @return for the directory format, the row counts read from the dumped files (see {@link DirectoryDump#run})
     */
    private Optional<ArchiveCounts> runPgDump(JobContext ctx, Preflight pre, SnapshotSession snapshot, UUID backupId,
                                              OutputStream sink, FanOutOutputStream fanOut) throws Exception {
        try {
            if (pre.target().format() == DumpFormat.DIRECTORY) {
                return DirectoryDump.run(ctx, config, pre.pgDump(), pre.conn(), snapshot.snapshotId(), pre.target().jobs(),
                        pre.target().compression().pgDumpArgs(), backupId, pre.server().databaseSize(), sink);
            }
            dumpCustom(ctx, pre.pgDump(), pre.conn(), snapshot.snapshotId(), pre.target().compression().pgDumpArgs(),
                    pre.server().databaseSize(), sink);
            return Optional.empty();
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
    }

    /**
     * Commits every upload and checks each copy: its size, and with read-back on its SHA-256, by reading it
     * back unless its store vouched for it (S3's per-part checksums, see {@code lifeboat.backup.trust-store-checksums}).
     */
    private void commitAndCheck(JobContext ctx, List<BlobStore> stores, List<Upload> uploads, String key,
                                Manifest.StoredFile file) throws IOException {
        long size = file.sizeBytes();
        ctx.progress("verifying", 0L, size * stores.size());
        List<StoredObject> committed = new ArrayList<>();
        for (int i = 0; i < uploads.size(); i++) {
            StoredObject o = uploads.get(i).commit();
            if (o.sizeBytes() != size) {
                throw new IOException("storage " + stores.get(i).name() + " stored " + o.sizeBytes() + " bytes of "
                        + key + " but " + size + " were written");
            }
            committed.add(o);
        }
        long checked = 0;
        for (int i = 0; i < stores.size(); i++) {
            BlobStore store = stores.get(i);
            ctx.throwIfCancelled();
            boolean readBack = config.backup().readBack() && !(committed.get(i).vouched() && config.backup().trustStoreChecksums());
            String problem = CopyCheck.problem(store, key, size, readBack ? file.sha256() : null, ctx);
            if (problem != null) {
                throw new IOException("the copy just stored in " + store.name() + " does not match what was written: " + problem
                        + ". Hint: the storage lost or altered data in transit; the job is retried");
            }
            LOG.debugf("copy %s in %s checked: %s", key, store.name(), readBack ? "read back, SHA-256 matches"
                    : committed.get(i).vouched() ? "the store verified every part's SHA-256" : "size only (read-back off)");
            checked += size;
            ctx.progress("verifying", checked, size * stores.size());
        }
    }

    /** pg_dump -Fc, its stdout copied into {@code sink} as it comes. */
    private void dumpCustom(JobContext ctx, PgTools.Tool pgDump, PgConnectInfo conn, String snapshotId, List<String> compressionArgs,
                            long estimate, OutputStream sink) throws Exception {
        PgDump dump = PgDump.of(config.pg(), snapshotId).withExtraArgs(compressionArgs);
        ctx.progress("dumping", 0L, estimate);
        try (PgProcess p = dump.start(pgDump, conn)) {
            p.cancelOn(ctx::onCancel);
            copy(ctx, p.stdout(), sink, estimate);
            p.waitFor();
        }
    }

    /** pg_dumpall --globals-only (roles without passwords, tablespaces), stored beside the dump. */
    private Manifest.StoredFile globals(JobContext ctx, Preflight pre, String prefix, Written written) throws Exception {
        ctx.progress("globals", null, null);
        Target target = pre.target();
        PgTools.Tool pgDumpall = pgTools.choose("pg_dumpall", pre.server().major(), target.name());
        String name = BackupKeys.globalsName(!pre.recipients().isEmpty());
        String key = prefix + name;
        List<Upload> uploads = new ArrayList<>();
        try {
            for (BlobStore store : pre.stores()) {
                written.add(store, key);
                uploads.add(store.create(key));
            }
            DigestingOutputStream stored = new DigestingOutputStream(new FanOutOutputStream(uploads), false);
            OutputStream sink = pre.recipients().isEmpty() ? stored : AgeEncryption.encrypt(stored, pre.recipients());
            PgCommand cmd = PgCommand.of(pgDumpall)
                    .args("--globals-only", "--no-role-passwords", "--no-password", "--database=" + pre.conn().database())
                    .connection(pre.conn()).timeout(config.pg().dumpTimeout());
            try (PgProcess p = PgProcess.start(cmd)) {
                p.cancelOn(ctx::onCancel);
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
            for (BlobStore store : pre.stores()) {
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

    /** The new backup against the target's previous one: warnings when the database looks damaged, and that previous backup. */
    private record Comparison(List<String> warnings, Backup previous) {
    }

    private Comparison compareWithPrevious(Target target, StoredCopy dump) {
        return catalog.newest(target.name())
                .map(previous -> new Comparison(Anomalies.find(previous, dump.rowCounts(), dump.file().sizeBytes(), config.anomaly()), previous))
                .orElse(new Comparison(List.of(), null));
    }

    private Manifest manifest(Preflight pre, SnapshotSession snapshot, UUID backupId, StoredCopy dump, Manifest.StoredFile globals,
                              List<String> warnings) {
        List<String> recipients = pre.recipients();
        return new Manifest(Manifest.FORMAT_VERSION, backupId, pre.target().name(), pre.conn().database(),
                snapshot.snapshotTime().toInstant(), clock.instant(), pre.target().format().id(), dump.file(), globals,
                recipients.isEmpty() ? null : new Manifest.Encryption("age", recipients),
                pre.server().version(), pre.server().versionNum(), pre.pgDump().version(), pre.conn().username(), dump.rowCounts(),
                snapshot.schemaCounts(), snapshot.schemaMigrationsVersion().orElse(null), lifeboatVersion(), warnings,
                snapshot.peertubeMigrationVersion().orElse(null), pre.target().compression().algorithm().id(), dump.archiveBytes(),
                dump.rowCountsFrom());
    }

    /** Writes {@code manifest.json} into every store, after every other object: from then on the directory is a complete backup. */
    private List<BackupLocation> storeManifest(Preflight pre, String prefix, StoredCopy dump, Manifest manifest, Written written)
            throws IOException {
        byte[] bytes = manifestWriter.writeValueAsBytes(manifest);
        String key = prefix + BackupKeys.MANIFEST;
        Instant verifiedAt = config.backup().readBack() ? manifest.finishedAt() : null;
        List<BackupLocation> locations = new ArrayList<>();
        for (BlobStore store : pre.stores()) {
            written.add(store, key);
            try (Upload up = store.create(key)) {
                up.write(bytes);
                up.commit();
            }
            locations.add(new BackupLocation(store.name(), prefix + dump.file().name(), key, dump.file().sizeBytes(),
                    dump.file().sha256(), verifiedAt, null));
        }
        return locations;
    }

    /**
     * Adds the catalog row: the point of no return. Its objects are kept from here on, even when the
     * commit's outcome is unknown (the database went away): a stored backup with a manifest is found
     * again by a catalog rebuild, while a catalog row whose objects were deleted would be a lie.
     *
     * <p>A backup that shows an anomaly pins the previous backup in the same transaction: the database
     * may have lost data, and from the moment this backup exists, retention must not be able to delete
     * the last copy from before.
     *
     * @return the backup pinned for it, or null
     */
    private UUID commit(JobContext ctx, Manifest manifest, String prefix, List<BackupLocation> locations, Comparison comparison,
                        Written written) {
        Backup row = Backup.of(manifest, prefix, locations);
        row.jobId = ctx.jobId();
        row.verifiedAt = config.backup().readBack() ? manifest.finishedAt() : null;
        Backup protect = comparison.warnings().isEmpty() ? null : comparison.previous();
        try {
            if (protect == null) {
                catalog.add(row);
            } else {
                catalog.addProtecting(row, protect.id, "automatically: the newest backup before " + row.id + " (" + row.createdAt
                        + "), which shows an anomaly: " + String.join("; ", comparison.warnings()));
            }
        } catch (RuntimeException e) {
            boolean absent;
            try {
                absent = catalog.find(row.id).isEmpty();
            } catch (RuntimeException unknown) {
                absent = false;
            }
            if (!absent) {
                written.clear();
                LOG.errorf("backup %s of %s is stored with its manifest, but whether its catalog row committed is unknown (%s);"
                        + " its objects are kept. Hint: POST /api/v1/catalog/rebuild lists it if it is missing", row.id, row.target, e.getMessage());
            }
            throw e;
        }
        written.clear(); // it is a good backup now: nothing to clean up
        if (protect != null) {
            LOG.warnf("backup %s of target %s looks wrong compared with the previous one: %s. Backup %s, the newest from before,"
                    + " is pinned: retention keeps it until an admin unpins it", row.id, row.target, manifest.warnings(), protect.id);
            return protect.id;
        }
        return null;
    }

    private static BackupResult result(Manifest manifest, List<BackupLocation> locations, UUID pinned, BackupResult.Millis millis) {
        Map<String, Long> rowCounts = manifest.rowCounts();
        return new BackupResult(manifest.backupId(), manifest.dump().sizeBytes(), manifest.dump().sha256(), manifest.encryption() != null,
                rowCounts.size(), rowCounts.values().stream().mapToLong(Long::longValue).sum(),
                locations.stream().map(l -> l.storage() + ":" + l.key()).toList(), manifest.warnings(), pinned, millis);
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

    /** The age recipients backups are encrypted to (public keys only); empty: unencrypted. */
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
        private final UUID backupId;
        private final List<Map.Entry<BlobStore, String>> objects = new ArrayList<>();

        Written(UUID backupId) {
            this.backupId = backupId;
        }

        synchronized void add(BlobStore store, String key) {
            objects.add(Map.entry(store, key));
        }

        synchronized void clear() {
            objects.clear();
        }

        synchronized void deleteAll() {
            // The manifest first: from then on the directory no longer claims to be a backup.
            objects.sort(Comparator.comparing(o -> !o.getValue().endsWith(BackupKeys.MANIFEST)));
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
}
