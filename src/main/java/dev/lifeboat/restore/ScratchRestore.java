package dev.lifeboat.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.Manifest;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeDecryptionException;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.crypto.AgeKeyException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.target.Server;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one way a backup is restored, for restores and drills alike: the stored objects are fetched and
 * verified, the key is proven, and the backup is restored with the target's restore settings into a
 * scratch database {@code lifeboat_<kind>_<16 hex of the job id>}, which the caller then checks and
 * renames, swaps or drops ({@link Scratch}). In order, and why:
 * <ol>
 *   <li><b>Stored copy</b>: the dump is read whole and must match the catalog's size and SHA-256; the
 *       manifest must describe the backup; a selection must name what the backup holds; stored roles
 *       must be intact when asked for. Reading everything first means a damaged backup is found before
 *       PostgreSQL is touched.</li>
 *   <li><b>Key</b>: the age identities must open the dump's header, for the same reason.</li>
 *   <li><b>Server</b>: a pg_restore that reads the archive and suits the server; leftovers of crashed
 *       restores and drills on the server are swept first.</li>
 *   <li><b>Scratch restore</b>: {@code pg_restore --exit-on-error} into a new scratch database, streamed
 *       from storage with one job, or spooled when parallel. The restore time starts here.</li>
 * </ol>
 * Parallel pg_restore jobs follow one rule for restores and drills: the request's {@code jobs} when a
 * restore names it, else the target's {@code restore.jobs}, which defaults to the target's dump
 * {@code jobs}.
 *
 * <p>What is wrong with the backup itself is an {@link UnusableBackupException} naming the step (a
 * drill reports it as its verdict, a restore fails with it); anything else (storage or server
 * unreachable) is thrown as it is, and the job is retried.
 */
@ApplicationScoped
public class ScratchRestore {
    private static final Logger LOG = Logger.getLogger(ScratchRestore.class);

    @Inject
    LifeboatConfig config;
    @Inject
    PgTools pgTools;
    @Inject
    BlobStores blobStores;
    @Inject
    ObjectMapper json;
    @Inject
    ScratchSweeper sweeper;
    @Inject
    Targets targets;

    /**
     * What to restore and how.
     *
     * @param kind      the job kind restoring ({@code restore} or {@code drill}): names the scratch database
     * @param jobs      parallel pg_restore jobs asked for, or null for the target's {@code restore.jobs}
     * @param selection the tables and schemas to restore, or null for everything
     * @param globals   apply the backup's stored roles to the server first
     */
    public record Request(Backup backup, Target target, JobKind kind, Integer jobs, Selection selection, boolean globals) {
        int effectiveJobs() {
            return jobs != null ? jobs : target.restore().jobs();
        }
    }

    /**
     * Where a scratch restore goes: the target's own server, or another of {@code lifeboat.servers.*}.
     *
     * @param name        the other server's name, or null for the target's own
     * @param conn        a connection to a database there (the target's, or the server's maintenance database)
     * @param maintenance where databases are created, renamed and dropped
     * @param info        the server's version
     */
    public record Destination(String name, PgConnectInfo conn, PgConnectInfo maintenance, ServerInfo info) {
        /** {@code the server of target mastodon} or {@code server drills}. */
        public String describe() {
            return name == null ? "the target's own server" : "server " + name;
        }
    }

    /** The scratch database name prefix of a job kind: {@code lifeboat_drill_}, {@code lifeboat_restore_}. */
    public static String prefix(JobKind kind) {
        return "lifeboat_" + kind.id() + "_";
    }

    /** Whether {@code database} is named like one of Lifeboat's scratch databases. */
    public static boolean isScratchName(String database) {
        return database.startsWith(prefix(JobKind.RESTORE)) || database.startsWith(prefix(JobKind.DRILL));
    }

    /** Connects to the target's server: a maintenance connection (for creating and renaming databases) and its version. */
    public Destination server(Target target) {
        PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
        PgConnectInfo maintenance = conn.maintenance();
        return new Destination(null, conn, maintenance, ServerInfo.probe(maintenance));
    }

    /**
     * Connects to the server named {@code serverName} ({@code lifeboat.servers.<name>}), or to the
     * target's own server when it is null.
     */
    public Destination server(Target target, String serverName) {
        if (serverName == null) {
            return server(target);
        }
        Server server = targets.server(serverName).orElseThrow(() -> new PermanentJobException("server " + serverName
                + " is no longer configured. Hint: it was removed from lifeboat.servers after the job was queued"));
        PgConnectInfo maintenance = PgConnectInfo.of(server, server.maintenanceDb(), config.pg().connectTimeout());
        return new Destination(serverName, maintenance, maintenance, ServerInfo.probe(maintenance));
    }

    /**
     * Restores the backup into a new scratch database on {@code server}. The caller owns the result and
     * closes it, which drops the database unless it was {@link Scratch#handOver() handed over}.
     *
     * @throws UnusableBackupException when the stored backup cannot be restored (nothing is left behind)
     */
    public Scratch restore(JobContext ctx, Request req, Destination server) throws Exception {
        Verified verified = verifyStoredCopy(ctx, req);
        ctx.throwIfCancelled();
        PgTools.Tool pgRestore = pgRestore(req, server);
        sweeper.sweep(server.maintenance());
        sweeper.sweepSpools();
        Scratch scratch = new Scratch(ScratchRestore.prefix(req.kind()) + scratchSuffix(ctx.jobId()), server, verified, pgRestore,
                req.effectiveJobs());
        try {
            restoreInto(ctx, req, scratch);
            return scratch;
        } catch (Exception | Error e) {
            scratch.close();
            throw e;
        }
    }

    /** The stored copy, its manifest and the key, each proven before PostgreSQL is touched. */
    private record Verified(StoredBackup copy, Manifest manifest, AgeIdentities identities, byte[] globalsScript,
                            List<String> passedOver) {
    }

    private Verified verifyStoredCopy(JobContext ctx, Request req) throws IOException, UnusableBackupException {
        Backup backup = req.backup();
        ctx.progress("checking", 0L, backup.sizeBytes);
        List<String> passedOver = new ArrayList<>();
        StoredBackup copy = firstGoodCopy(ctx, StoredBackup.copies(backup, blobStores, json), passedOver);
        Manifest manifest;
        try {
            manifest = copy.manifest();
        } catch (StoredBackup.ManifestException e) {
            throw new UnusableBackupException(Step.MANIFEST, e.getMessage(), null, e);
        }
        if (req.selection() != null) {
            List<String> missing = req.selection().missingFrom(manifest.rowCounts());
            if (!missing.isEmpty()) {
                throw new UnusableBackupException(Step.SELECTION, "backup " + backup.id + " holds no " + String.join(", ", missing)
                        + ". Hint: GET /api/v1/backups/" + backup.id + " lists its tables (rowCounts)", null, null);
            }
        }
        AgeIdentities identities = provenKey(copy);
        return new Verified(copy, manifest, identities, req.globals() ? globalsScript(ctx, copy, manifest, identities) : null,
                List.copyOf(passedOver));
    }

    /** Largest roles script Lifeboat reads (pg_dumpall --globals-only of a server writes kilobytes). */
    static final int MAX_GLOBALS_BYTES = 16 << 20;

    /**
     * The stored roles script, checked before anything runs: the object against the catalog's SHA-256,
     * and its text for anything but SQL (see {@link GlobalsScript}).
     */
    private byte[] globalsScript(JobContext ctx, StoredBackup copy, Manifest manifest, AgeIdentities identities)
            throws IOException, UnusableBackupException {
        String problem = copy.globalsProblem(manifest, ctx);
        if (problem != null) {
            throw new UnusableBackupException(Step.GLOBALS, problem, null, null);
        }
        byte[] script;
        try (InputStream in = copy.openGlobals(manifest, identities)) {
            script = in.readNBytes(MAX_GLOBALS_BYTES + 1);
        }
        if (script.length > MAX_GLOBALS_BYTES) {
            throw new UnusableBackupException(Step.GLOBALS, "the roles script is larger than " + MAX_GLOBALS_BYTES + " bytes", null, null);
        }
        String unsafe = GlobalsScript.problem(new String(script, StandardCharsets.UTF_8));
        if (unsafe != null) {
            throw new UnusableBackupException(Step.GLOBALS, "the roles script is not plain SQL (" + unsafe + "); nothing of it was run",
                    null, null);
        }
        return script;
    }

    /**
     * 3-2-1 pays off: the first copy whose dump is there with the catalog's size and SHA-256. A copy
     * that is damaged or whose storage cannot be reached is passed over, and said so in the log; when
     * no copy verifies, a damaged one makes the backup unusable, and only unreachable ones make the job
     * retry (the data may be fine).
     */
    private static StoredBackup firstGoodCopy(JobContext ctx, List<StoredBackup> copies, List<String> passedOver)
            throws IOException, UnusableBackupException {
        List<String> damaged = new ArrayList<>();
        IOException unreachable = null;
        for (StoredBackup copy : copies) {
            String problem;
            try {
                problem = copy.dumpProblem(ctx);
            } catch (IOException e) {
                LOG.warnf("backup %s: storage %s cannot be read (%s); trying another copy", copy.backup().id, copy.store().name(), e.getMessage());
                unreachable = unreachable == null ? e : unreachable;
                passedOver.add("the copy in " + copy.store().name() + " could not be read: " + e.getMessage());
                continue;
            }
            if (problem == null) {
                return copy;
            }
            LOG.warnf("backup %s: the copy in storage %s is damaged (%s); trying another copy", copy.backup().id, copy.store().name(), problem);
            damaged.add(copy.store().name() + ": " + problem);
            passedOver.add("the copy in " + copy.store().name() + " is damaged: " + problem);
        }
        if (damaged.isEmpty() && unreachable != null) {
            throw unreachable;
        }
        throw UnusableBackupException.storedCopy(String.join(", ", copies.stream().map(c -> c.store().name()).toList()),
                String.join("; ", damaged) + (unreachable == null ? "" : "; another storage could not be read: " + unreachable.getMessage()));
    }

    /** The identities that open the backup (null for a plain one), proven on the dump's age header. */
    private AgeIdentities provenKey(StoredBackup copy) throws IOException, UnusableBackupException {
        AgeIdentities identities;
        try {
            identities = StoredBackup.identities(copy.backup(), config.encryption().identityFile());
        } catch (AgeKeyException e) {
            throw new UnusableBackupException(Step.KEY, e.getMessage(), null, e);
        } catch (IOException e) {
            throw new UnusableBackupException(Step.KEY, "cannot read lifeboat.encryption.identity-file (" + e + ")",
                    "mount the age private key where the setting points", e);
        }
        try {
            copy.probeKey(identities);
        } catch (AgeDecryptionException e) {
            throw new UnusableBackupException(Step.KEY, e.getMessage(), null, e);
        }
        return identities;
    }

    /** A pg_restore that reads the archive (as new as the pg_dump that wrote it), the destination's major when installed. */
    private PgTools.Tool pgRestore(Request req, Destination server) {
        return pgTools.forArchive("pg_restore", ServerInfo.majorOf(req.backup().pgDumpVersion), server.info().major(), req.target().name());
    }

    /**
     * Takes the scratch database's server lock, creates it, applies the roles when asked, and runs
     * pg_restore into it. The lock keeps a later attempt of this job (on a replica that took the job
     * over) and the maintenance pass from dropping the database while this attempt uses it.
     */
    private void restoreInto(JobContext ctx, Request req, Scratch scratch) throws Exception {
        long started = System.nanoTime();
        scratch.lock = ServerLock.tryTake(scratch.server.maintenance(), ServerLock.scratch(scratch.name));
        if (scratch.lock == null) {
            throw new IllegalStateException("the scratch database " + scratch.name + " is still used by an earlier attempt of this job"
                    + " (on a replica that lost Lifeboat's database); it is left alone, and this attempt is retried");
        }
        Databases.createScratch(scratch.server.maintenance(), scratch.name, req.kind().id());
        if (req.globals()) {
            scratch.globals = applyGlobals(ctx, scratch, scratch.warnings);
        }
        Target.RestoreOptions ownership = req.target().restore();
        if (!ownership.keepOwners() && !ownership.role().equals(scratch.server.maintenance().username())) {
            // pg_restore --role=<role> creates objects as that role: on PostgreSQL 15 and later only the
            // database's owner may create in schema public, so the database is the role's too.
            Databases.giveTo(scratch.server.maintenance(), scratch.name, ownership.role(), scratch.warnings);
        }
        ctx.progress("restoring", 0L, req.backup().archiveSize());
        ArchiveRestore.Options options = new ArchiveRestore.Options(req.target().restore().pgRestoreOptions(), scratch.jobs,
                config.backup().scratchBase(), req.selection(), config.pg().dumpTimeout());
        String error = ArchiveRestore.restore(ctx, scratch.verified.copy(), scratch.verified.identities(), scratch.pgRestore,
                scratch.conn(), options);
        scratch.restoreSeconds = (System.nanoTime() - started) / 1e9;
        ctx.throwIfCancelled();
        if (error != null) {
            throw UnusableBackupException.pgRestore(error, scratch.restoreSeconds);
        }
    }

    /**
     * Runs the stored {@code pg_dumpall --globals-only} with psql on the maintenance database. Roles that
     * already exist (most of them, on the same server) make harmless errors: psql goes on, and the count
     * and the first of them are reported.
     */
    private RestoreResult.Globals applyGlobals(JobContext ctx, Scratch scratch, List<String> warnings) throws Exception {
        ctx.progress("globals", null, null);
        PgConnectInfo maintenance = scratch.server.maintenance();
        PgTools.Tool psql = pgTools.forArchive("psql", ServerInfo.majorOf(scratch.verified.copy().backup().pgDumpVersion),
                scratch.server.info().major(), scratch.verified.copy().backup().target);
        AtomicInteger errors = new AtomicInteger();
        List<String> firstErrors = new ArrayList<>();
        PgCommand cmd = PgCommand.of(psql)
                .args("--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=0", "--dbname=" + maintenance.database(), "--file=-")
                .connection(maintenance).timeout(config.pg().dumpTimeout()).stdin(true).stdout(PgCommand.Stdout.DISCARD)
                .onStderrLine(line -> {
                    if (line.contains("ERROR:")) {
                        errors.incrementAndGet();
                        synchronized (firstErrors) {
                            if (firstErrors.size() < 5) {
                                firstErrors.add(line);
                            }
                        }
                    }
                });
        try (PgProcess p = PgProcess.start(cmd)) {
            p.cancelOn(ctx::onCancel);
            try (OutputStream out = p.stdin()) {
                out.write(scratch.verified.globalsScript());
            }
            p.waitFor();
        } catch (PgProcessException e) {
            ctx.throwIfCancelled();
            throw new PermanentJobException("applying the stored globals failed: " + e.getMessage() + " Nothing was restored.", e);
        }
        if (errors.get() > 0) {
            synchronized (firstErrors) {
                warnings.add("globals: " + errors.get() + " statement(s) failed (usually roles that already exist), e.g. "
                        + String.join(" | ", firstErrors));
            }
        }
        return new RestoreResult.Globals(true, errors.get());
    }

    /** 16 hex digits of the job id: what scratch names and the sweeper share. */
    static String scratchSuffix(UUID jobId) {
        return jobId.toString().replace("-", "").substring(0, 16);
    }

    /** The step of a scratch restore that found the backup unusable. */
    public enum Step {
        /** The stored dump is missing, or its size or SHA-256 differs from the catalog's. */
        STORED_COPY,
        /** The manifest is missing or does not describe the backup. */
        MANIFEST,
        /** A selective restore names tables or schemas the backup does not hold. */
        SELECTION,
        /** The stored roles are missing or damaged. */
        GLOBALS,
        /** No key, or the key does not open the backup. */
        KEY,
        /** pg_restore failed (or the archive could not be decrypted or unpacked on the way). */
        PG_RESTORE
    }

    /** The backup cannot be restored as stored; nothing was left behind. The message says what was found. */
    public static final class UnusableBackupException extends Exception {
        private final Step step;
        private final String storage;
        private final String hint;
        private final Double restoreSeconds;

        UnusableBackupException(Step step, String detail, String hint, Throwable cause) {
            this(step, null, detail, hint, cause, null);
        }

        private UnusableBackupException(Step step, String storage, String detail, String hint, Throwable cause, Double restoreSeconds) {
            super(detail, cause);
            this.step = step;
            this.storage = storage;
            this.hint = hint;
            this.restoreSeconds = restoreSeconds;
        }

        /** The stored dump in {@code storage} is missing or differs from the catalog: {@code problem}. */
        static UnusableBackupException storedCopy(String storage, String problem) {
            return new UnusableBackupException(Step.STORED_COPY, storage, problem, null, null, null);
        }

        /** pg_restore (or decrypting or unpacking the archive on the way) failed after {@code restoreSeconds}. */
        static UnusableBackupException pgRestore(String error, double restoreSeconds) {
            return new UnusableBackupException(Step.PG_RESTORE, null, error, null, null, restoreSeconds);
        }

        public Step step() {
            return step;
        }

        /** For {@link Step#STORED_COPY}: the storage of the copy that was read. */
        public String storage() {
            return storage;
        }

        /** What to do about it, or null. */
        public String hint() {
            return hint;
        }

        /** For {@link Step#PG_RESTORE}: how long the failed restore ran. */
        public Double restoreSeconds() {
            return restoreSeconds;
        }
    }

    /**
     * A backup restored into a scratch database. The caller checks it ({@link #manifestChecks()}), then
     * takes it over under another name ({@link #handOver()}) or closes it, which drops it.
     */
    public final class Scratch implements AutoCloseable {
        private final String name;
        private final Destination server;
        private final Verified verified;
        private final PgTools.Tool pgRestore;
        private final int jobs;
        private final List<String> warnings = new ArrayList<>();
        private volatile boolean handedOver;
        private ServerLock lock;
        private RestoreResult.Globals globals;
        private double restoreSeconds;

        private Scratch(String name, Destination server, Verified verified, PgTools.Tool pgRestore, int jobs) {
            this.name = name;
            this.server = server;
            this.verified = verified;
            this.pgRestore = pgRestore;
            this.jobs = jobs;
        }

        /** {@code lifeboat_<kind>_<16 hex>}. */
        public String name() {
            return name;
        }

        /** A connection to the scratch database. */
        public PgConnectInfo conn() {
            return server.conn().withDatabase(name);
        }

        public Manifest manifest() {
            return verified.manifest();
        }

        /** Where it was restored. */
        public Destination destination() {
            return server;
        }

        /** The storage the restored copy came from. */
        public String storage() {
            return verified.copy().store().name();
        }

        /** The copies passed over before this one (damaged or unreachable), each with why; empty when the first copy was used. */
        public List<String> passedOver() {
            return verified.passedOver();
        }

        public PgTools.Tool pgRestore() {
            return pgRestore;
        }

        public int jobs() {
            return jobs;
        }

        /** From creating the scratch database to pg_restore's end (the recovery time a drill measures). */
        public double restoreSeconds() {
            return restoreSeconds;
        }

        /** The roles applied, or null when not asked for. */
        public RestoreResult.Globals globals() {
            return globals;
        }

        /** What went wrong without failing the restore (roles that exist already). */
        public List<String> warnings() {
            List<String> all = new ArrayList<>(verified.passedOver());
            all.addAll(warnings);
            return List.copyOf(all);
        }

        /** Exact row counts and schema object counts against the backup's snapshot (its manifest). */
        public List<Check> manifestChecks() throws SQLException {
            return ManifestChecks.compare(conn(), verified.manifest());
        }

        /** The database now goes by another name (renamed or swapped in): closing no longer drops it. */
        public void handOver() {
            handedOver = true;
        }

        /**
         * Drops the scratch database unless it was handed over, then lets go of its server lock. A cancel
         * kills pg_restore first (the job's cancel action), so the drop finds the database free.
         */
        @Override
        public void close() {
            if (!handedOver && lock != null) {
                Databases.dropQuietly(server.maintenance(), name);
            }
            if (lock != null) {
                lock.close();
            }
        }
    }
}
