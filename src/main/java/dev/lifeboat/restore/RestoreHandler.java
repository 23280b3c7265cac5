package dev.lifeboat.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.backup.Manifest;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.crypto.AgeDecryptionException;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.crypto.AgeKeyException;
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
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code restore} job. Arguments (validated by the API): {@code backupId}, {@code mode}
 * ({@code new} or {@code replace}), {@code database} (new mode), optional {@code tables},
 * {@code schemas}, {@code globals} and {@code jobs}.
 *
 * <p>Nothing touches PostgreSQL before the stored dump has been read whole and matched the catalog's
 * size and SHA-256 and the decryption key has been proven to fit. Every restore goes into a scratch
 * database {@code lifeboat_restore_<job>} first, so a failed, cancelled or crashed restore leaves
 * nothing under a name anyone uses (the scratch is dropped, or by the next restore on the server if
 * the worker died):
 * <ul>
 *   <li>new mode: the scratch is renamed to {@code database} when pg_restore succeeded;</li>
 *   <li>replace mode: the scratch is checked against the manifest (exact row counts, schema objects),
 *       the pre-restore hook is called, the live database is fenced and renamed to
 *       {@code <db>_before_<8 hex of the job id>} (kept, never dropped), the scratch takes its name,
 *       and the post-restore hook is called.</li>
 * </ul>
 */
@ApplicationScoped
public class RestoreHandler implements JobHandler {
    private static final Logger LOG = Logger.getLogger(RestoreHandler.class);
    public static final String KIND = "restore";
    public static final String SCRATCH_PREFIX = "lifeboat_restore_";

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
    AgroalDataSource lifeboatDb;

    @Override
    public String kind() {
        return KIND;
    }

    /** The name the live database keeps after a replace: {@code <db>_before_<8 hex>}, cut to PostgreSQL's 63 bytes. */
    public static String keptName(String database, UUID jobId) {
        String suffix = "_before_" + jobId.toString().substring(0, 8);
        String base = database;
        while (base.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + suffix.length() > 63) {
            base = base.substring(0, base.length() - 1);
        }
        return base + suffix;
    }

    @Override
    public JobOutcome run(JobContext ctx) throws Exception {
        Map<String, Object> args = ctx.args();
        UUID backupId;
        try {
            backupId = UUID.fromString(String.valueOf(args.get("backupId")));
        } catch (IllegalArgumentException e) {
            throw new PermanentJobException("restore job without a valid backupId argument");
        }
        Backup backup = catalog.find(backupId).orElseThrow(() -> new PermanentJobException(
                "backup " + backupId + " is not in the catalog (deleted after the restore was queued?)"));
        Target target = targets.find(backup.target).orElseThrow(() -> new PermanentJobException(
                "target " + backup.target + " of backup " + backupId + " is no longer configured"));
        boolean replace = "replace".equals(args.get("mode"));
        String database = replace ? target.database() : String.valueOf(args.get("database"));
        Selection selection = selection(args);
        boolean globals = Boolean.TRUE.equals(args.get("globals"));
        int jobs = args.get("jobs") instanceof Number n ? n.intValue() : target.restore().jobs();
        String untouched = replace ? " Database " + database + " was not touched." : "";

        if (replace && ctx.attempt() > 1) {
            reopenAfterCrash(target, database);
        }

        // 1. Everything about the stored backup, before anything touches PostgreSQL.
        ctx.progress("checking", 0L, backup.sizeBytes);
        StoredBackup copy = StoredBackup.locate(backup, blobStores, json);
        String problem = copy.dumpProblem(ctx);
        if (problem != null) {
            throw new PermanentJobException("the stored copy of backup " + backupId + " in storage " + copy.store().name()
                    + " is damaged: " + problem + ". Nothing was restored." + untouched
                    + " Hint: POST /api/v1/backups/" + backupId + "/verify, and restore another backup");
        }
        Manifest manifest;
        try {
            manifest = copy.manifest();
        } catch (StoredBackup.ManifestException e) {
            throw new PermanentJobException("backup " + backupId + " is damaged: " + e.getMessage() + ". Nothing was restored." + untouched
                    + " Hint: restore another backup", e);
        }
        if (selection != null) {
            List<String> missing = selection.missingFrom(manifest.rowCounts());
            if (!missing.isEmpty()) {
                throw new PermanentJobException("backup " + backupId + " holds no " + String.join(", ", missing)
                        + ". Hint: GET /api/v1/backups/" + backupId + " lists its tables (rowCounts)");
            }
        }
        if (globals) {
            String gp = copy.globalsProblem(manifest, ctx);
            if (gp != null) {
                throw new PermanentJobException("cannot apply the globals of backup " + backupId + ": " + gp + ". Nothing was restored.");
            }
        }
        AgeIdentities identities;
        try {
            identities = StoredBackup.identities(backup, config.encryption().identityFile());
        } catch (AgeKeyException e) {
            throw new PermanentJobException("cannot decrypt backup " + backupId + ": " + e.getMessage() + ". Nothing was restored." + untouched, e);
        } catch (java.io.IOException e) {
            throw new PermanentJobException("cannot decrypt backup " + backupId + ": cannot read lifeboat.encryption.identity-file ("
                    + e + "). Nothing was restored." + untouched + " Hint: mount the age private key where the setting points", e);
        }
        try {
            copy.probeKey(identities);
        } catch (AgeDecryptionException e) {
            throw new PermanentJobException("cannot decrypt backup " + backupId + ": " + e.getMessage() + ". Nothing was restored." + untouched, e);
        }
        ctx.throwIfCancelled();

        // 2. The server: tools, names.
        PgConnectInfo conn = PgConnectInfo.of(target, config.pg().connectTimeout());
        PgConnectInfo maintenance = maintenance(conn);
        ServerInfo server = ServerInfo.probe(maintenance);
        int major = Math.max(server.major(), ServerInfo.majorOf(backup.pgDumpVersion));
        PgTools.Tool pgRestore = pgTools.choose("pg_restore", major, target.name());
        boolean exists = Databases.exists(maintenance, database);
        if (!replace && exists) {
            throw new PermanentJobException("database " + database + " already exists on the server of target " + target.name()
                    + "; a restore never writes into an existing database. Hint: choose another database name, or use"
                    + " mode=replace with confirm=" + target.name() + " to swap the target's database");
        }
        if (replace && !exists) {
            throw new PermanentJobException("database " + database + " of target " + target.name() + " does not exist, so there is"
                    + " nothing to replace. Hint: restore with {\"database\": \"" + database + "\"} to create it");
        }
        String kept = replace ? keptName(database, ctx.jobId()) : null;
        if (kept != null && Databases.exists(maintenance, kept)) {
            throw new PermanentJobException("database " + kept + " already exists; it would receive the current " + database
                    + ". Hint: rename or drop it first." + untouched);
        }
        Databases.dropLeftovers(maintenance, lifeboatDb, SCRATCH_PREFIX, KIND);
        ArchiveRestore.sweepSpools(config.backup().scratchBase(), lifeboatDb);
        String scratch = Databases.scratchName(SCRATCH_PREFIX, ctx.jobId());
        Map<String, Object> result = new LinkedHashMap<>();
        List<String> warnings = new ArrayList<>();
        result.put("backupId", backupId.toString());
        result.put("target", target.name());
        result.put("mode", replace ? "replace" : "new");
        result.put("database", database);

        long started = System.nanoTime();
        boolean handedOver = false;
        try {
            Databases.createScratch(maintenance, scratch, "restore");
            PgConnectInfo scratchConn = conn.withDatabase(scratch);
            if (globals) {
                result.put("globals", applyGlobals(ctx, copy, manifest, identities, major, maintenance, warnings));
            }
            ctx.progress("restoring", 0L, backup.sizeBytes);
            ArchiveRestore.Options options = new ArchiveRestore.Options(ownership(target), jobs, config.backup().scratchBase(), selection,
                    config.pg().dumpTimeout());
            String error = ArchiveRestore.restore(ctx, copy, identities, pgRestore, scratchConn, options);
            ctx.throwIfCancelled();
            if (error != null) {
                throw new PermanentJobException("restore of backup " + backupId + " failed, the half-made database was dropped: "
                        + error + untouched);
            }
            double restoreSeconds = (System.nanoTime() - started) / 1e9;
            result.put("restoreSeconds", Math.round(restoreSeconds * 1000) / 1000.0);

            if (!replace) {
                rename(maintenance, scratch, database);
                handedOver = true;
            } else {
                ctx.progress("checking", null, null);
                List<Check> checks = ManifestChecks.compare(scratchConn, manifest);
                result.put("checks", checks.stream().map(Check::toMap).toList());
                List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
                if (!failed.isEmpty()) {
                    throw new PermanentJobException("the restored copy does not match backup " + backupId + " (" + String.join("; ", failed)
                            + "); it was dropped." + untouched);
                }
                ctx.throwIfCancelled();
                Map<String, Object> hookBody = hookBody("restore.pre", ctx, target, backupId, database, null);
                if (target.restore().preRestore() != null) {
                    ctx.progress("pre-restore hook", null, null);
                    try {
                        Hooks.call("pre-restore", target.restore().preRestore(), hookBody, target.restore().hookTimeout(), json);
                    } catch (Hooks.HookFailedException e) {
                        throw new PermanentJobException(e.getMessage() + "; the restore was aborted and its copy dropped." + untouched, e);
                    }
                    result.put("preRestoreHook", "ok");
                }
                ctx.throwIfCancelled();
                // From here on the swap runs to its end: it takes a moment, and half of it would be worse than either side.
                ctx.progress("swapping", null, null);
                Swap.swap(maintenance, database, scratch, kept);
                handedOver = true;
                result.put("keptDatabase", kept);
                LOG.infof("replaced %s of target %s with backup %s; the old database is kept as %s", database, target.name(), backupId, kept);
                if (target.restore().postRestore() != null) {
                    ctx.progress("post-restore hook", null, null);
                    try {
                        Hooks.call("post-restore", target.restore().postRestore(),
                                hookBody("restore.post", ctx, target, backupId, database, kept), target.restore().hookTimeout(), json);
                        result.put("postRestoreHook", "ok");
                    } catch (Hooks.HookFailedException e) {
                        result.put("postRestoreHook", "failed");
                        warnings.add(e.getMessage() + " (the restore itself is done; start the application by hand)");
                        LOG.warn(e.getMessage());
                    }
                }
            }
        } finally {
            if (!handedOver) {
                Databases.dropQuietly(maintenance, scratch);
            }
        }
        if (selection != null) {
            result.put("tables", selection.tables());
            result.put("schemas", selection.schemas());
        }
        result.put("jobs", jobs);
        result.put("warnings", warnings);
        LOG.infof("restored backup %s of target %s into %s in %s s", backupId, target.name(), database, result.get("restoreSeconds"));
        return JobOutcome.succeeded(result);
    }

    private static Selection selection(Map<String, Object> args) {
        List<String> tables = strings(args.get("tables"));
        List<String> schemas = strings(args.get("schemas"));
        if (tables.isEmpty() && schemas.isEmpty()) {
            return null;
        }
        for (String t : tables) {
            if (Selection.splitTable(t) == null) {
                throw new PermanentJobException("table name '" + t + "' is not acceptable");
            }
        }
        for (String s : schemas) {
            if (!Selection.PART.matcher(s).matches()) {
                throw new PermanentJobException("schema name '" + s + "' is not acceptable");
            }
        }
        return new Selection(tables, schemas);
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                out.add(String.valueOf(x));
            }
        }
        return out;
    }

    /** pg_restore's ownership options: {@code --no-owner --role=<role>} unless the target keeps the dump's owners. */
    public static List<String> ownership(Target target) {
        List<String> args = new ArrayList<>();
        if (!target.restore().keepOwners()) {
            args.add("--no-owner");
            args.add("--role=" + target.restore().role());
        }
        if (!target.restore().privileges()) {
            args.add("--no-privileges");
        }
        return args;
    }

    private static Map<String, Object> hookBody(String event, JobContext ctx, Target target, UUID backupId, String database, String kept) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("jobId", ctx.jobId().toString());
        body.put("target", target.name());
        body.put("database", database);
        body.put("backupId", backupId.toString());
        if (kept != null) {
            body.put("keptDatabase", kept);
        }
        return body;
    }

    /**
     * Runs the stored {@code pg_dumpall --globals-only} with psql on the maintenance database. Roles that
     * already exist (most of them, on the same server) make harmless errors: psql goes on, and the count
     * and the first of them are reported.
     */
    private Map<String, Object> applyGlobals(JobContext ctx, StoredBackup copy, Manifest manifest, AgeIdentities identities, int major,
                                             PgConnectInfo maintenance, List<String> warnings) throws Exception {
        ctx.progress("globals", null, null);
        PgTools.Tool psql = pgTools.choose("psql", major, copy.backup().target);
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
            p.cancelOn(ctx);
            try (InputStream in = copy.openGlobals(manifest, identities); OutputStream out = p.stdin()) {
                in.transferTo(out);
            }
            p.waitFor();
        } catch (PgProcessException e) {
            ctx.throwIfCancelled();
            throw new PermanentJobException("applying the stored globals failed: " + e.getMessage() + " Nothing was restored.", e);
        }
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("applied", true);
        g.put("errors", errors.get());
        if (errors.get() > 0) {
            synchronized (firstErrors) {
                warnings.add("globals: " + errors.get() + " statement(s) failed (usually roles that already exist), e.g. "
                        + String.join(" | ", firstErrors));
            }
        }
        return g;
    }

    /**
     * A connection for work that must not be connected to the target's database (creating, renaming):
     * {@code postgres}, else {@code template1}, else the target's database itself.
     */
    public static PgConnectInfo maintenance(PgConnectInfo conn) {
        RuntimeException first = null;
        for (String db : List.of("postgres", "template1", conn.database())) {
            PgConnectInfo candidate = conn.withDatabase(db);
            try (Connection c = candidate.open()) {
                return candidate;
            } catch (SQLException | RuntimeException e) {
                if (first == null && e instanceof RuntimeException re) {
                    first = re;
                }
            }
        }
        throw first != null ? first : new PermanentJobException("cannot connect to any database of target " + conn.target());
    }

    /**
     * An earlier attempt of this replace died (its replica was killed) and may have left the live
     * database fenced: let clients in again before anything else.
     */
    private void reopenAfterCrash(Target target, String database) {
        try {
            PgConnectInfo maintenance = maintenance(PgConnectInfo.of(target, config.pg().connectTimeout()));
            try (Connection c = maintenance.open(); java.sql.PreparedStatement ps = c.prepareStatement(
                    "SELECT NOT datallowconn FROM pg_database WHERE datname = ?")) {
                ps.setString(1, database);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        LOG.warnf("database %s refuses connections, probably fenced by an earlier attempt of this restore: re-allowing them", database);
                        c.createStatement().execute("ALTER DATABASE " + Databases.quoteIdent(database) + " WITH ALLOW_CONNECTIONS true");
                    }
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("could not check whether %s is still fenced: %s", database, e.getMessage());
        }
    }

    private static void rename(PgConnectInfo maintenance, String from, String to) throws SQLException {
        try (Connection c = maintenance.open(); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Databases.quoteIdent(from) + " RENAME TO " + Databases.quoteIdent(to));
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                throw new PermanentJobException("database " + to + " was created by someone else while the restore ran; the restored copy"
                        + " was dropped. Hint: choose another name", e);
            }
            throw e;
        }
    }

}
