package dev.lifeboat.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgPermanentException;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The {@code restore} job ({@link RestoreArgs}, validated by the API): a {@link ScratchRestore} of the
 * backup, then a rename (new mode) or a swap (replace mode). Everything that concerns the stored
 * backup is proven before PostgreSQL is touched, and every restore goes into a scratch database
 * {@code lifeboat_restore_<job>} first, so a failed, cancelled or crashed restore leaves nothing under
 * a name anyone uses (the scratch is dropped, or by the next restore on the server if the worker died):
 * <ul>
 *   <li>new mode: the scratch is renamed to {@code database} when pg_restore succeeded;</li>
 *   <li>replace mode: the scratch is checked against the manifest (exact row counts, schema objects),
 *       the pre-restore hook is called, the live database is fenced and renamed to
 *       {@code <db>_before_<8 hex of the job id>} (kept, never dropped), the scratch takes its name,
 *       and the post-restore hook is called.</li>
 * </ul>
 */
@ApplicationScoped
public class RestoreHandler implements JobHandler<RestoreArgs, RestoreResult> {
    private static final Logger LOG = Logger.getLogger(RestoreHandler.class);

    @Inject
    Targets targets;
    @Inject
    BackupCatalog catalog;
    @Inject
    ScratchRestore scratchRestore;
    @Inject
    ObjectMapper json;
    @Inject
    Fences fences;

    @Override
    public String kind() {
        return JobKind.RESTORE.id();
    }

    @Override
    public Class<RestoreArgs> argsType() {
        return RestoreArgs.class;
    }

    /** The name the live database keeps after a replace: {@code <db>_before_<8 hex>}, cut to PostgreSQL's 63 bytes. */
    public static String keptName(String database, UUID jobId) {
        String suffix = "_before_" + jobId.toString().substring(0, 8);
        String base = database;
        while (base.getBytes(StandardCharsets.UTF_8).length + suffix.length() > 63) {
            base = base.substring(0, base.length() - 1);
        }
        return base + suffix;
    }

    /** What a restore works with, once its arguments are resolved. */
    private record Plan(Backup backup, Target target, RestoreMode mode, String database, String kept, String untouched) {
        boolean replace() {
            return mode == RestoreMode.REPLACE;
        }
    }

    @Override
    public JobOutcome<RestoreResult> run(JobContext ctx, RestoreArgs args) throws Exception {
        try {
            Plan plan = plan(ctx, args);
            ScratchRestore.Destination server = scratchRestore.server(plan.target(), args.server());
            if (args.server() != null) {
                checkRestoreRole(server, plan);
            }
            if (plan.replace() && ctx.attempt() > 1) {
                reopenAfterCrash(server.maintenance(), ctx.jobId(), plan.database(), plan.kept());
            }
            if (ctx.attempt() > 1) {
                RestoreResult done = doneByEarlierAttempt(ctx, plan, args, server);
                if (done != null) {
                    return JobOutcome.succeeded(done);
                }
            }
            checkNames(server.maintenance(), plan);
            ScratchRestore.Request request = new ScratchRestore.Request(plan.backup(), plan.target(), JobKind.RESTORE, args.jobs(),
                    args.selection(), args.applyGlobals());
            try (ScratchRestore.Scratch scratch = restoreIntoScratch(ctx, request, server, plan)) {
                Swapped swapped = plan.replace() ? swap(ctx, plan, scratch, server.maintenance()) : rename(ctx, scratch, server.maintenance(), plan);
                LOG.infof("restored backup %s of target %s into %s in %.3f s", plan.backup().id, plan.target().name(), plan.database(),
                        scratch.restoreSeconds());
                return JobOutcome.succeeded(result(plan, args, scratch, swapped));
            }
        } catch (PgPermanentException e) {
            throw new PermanentJobException(e.getMessage(), e);
        }
    }

    /** The backup and target as they are now, and the database the restore ends up in. */
    private Plan plan(JobContext ctx, RestoreArgs args) {
        UUID backupId = args.backupId();
        if (backupId == null || args.mode() == null) {
            throw new PermanentJobException("restore job without a backupId or mode argument");
        }
        Backup backup = catalog.find(backupId).orElseThrow(() -> new PermanentJobException(
                "backup " + backupId + " is not in the catalog (deleted after the restore was queued?)"));
        Target target = targets.find(backup.target).orElseThrow(() -> new PermanentJobException(
                "target " + backup.target + " of backup " + backupId + " is no longer configured"));
        Selection selection = args.selection();
        if (selection != null) {
            selection.tables().stream().filter(t -> Selection.splitTable(t) == null).findFirst().ifPresent(t -> {
                throw new PermanentJobException("table name '" + t + "' is not acceptable");
            });
            selection.schemas().stream().filter(s -> !Selection.PART.matcher(s).matches()).findFirst().ifPresent(s -> {
                throw new PermanentJobException("schema name '" + s + "' is not acceptable");
            });
        }
        boolean replace = args.mode() == RestoreMode.REPLACE;
        if (replace && args.server() != null) {
            throw new PermanentJobException("a replace restore stays on the target's own server; restore to server " + args.server()
                    + " into a new database instead");
        }
        if (args.server() != null && !target.restore().servers().contains(args.server())) {
            throw new PermanentJobException("server " + args.server() + " is not among lifeboat.targets." + target.name()
                    + ".restore.servers " + target.restore().servers());
        }
        String database = replace ? target.database() : args.database();
        return new Plan(backup, target, args.mode(), database, replace ? keptName(database, ctx.jobId()) : null,
                replace ? " Database " + database + " was not touched." : "");
    }

    /** New mode never writes into an existing database; replace mode needs the live one and a free name to keep it under. */
    private static void checkNames(PgConnectInfo maintenance, Plan plan) throws SQLException {
        boolean exists = Databases.exists(maintenance, plan.database());
        String target = plan.target().name();
        if (!plan.replace() && exists) {
            throw new PermanentJobException("database " + plan.database() + " already exists on the server of target " + target
                    + "; a restore never writes into an existing database. Hint: choose another database name, or use"
                    + " mode=replace with confirm=" + target + " to swap the target's database");
        }
        if (plan.replace() && !exists) {
            throw new PermanentJobException("database " + plan.database() + " of target " + target + " does not exist, so there is"
                    + " nothing to replace. Hint: restore with {\"database\": \"" + plan.database() + "\"} to create it");
        }
        if (plan.kept() != null && Databases.exists(maintenance, plan.kept())) {
            throw new PermanentJobException("database " + plan.kept() + " already exists; it would receive the current " + plan.database()
                    + ". Hint: rename or drop it first." + plan.untouched());
        }
    }

    /**
     * On another server the role that will own the restored objects may not exist: say so before
     * anything is restored there.
     */
    private static void checkRestoreRole(ScratchRestore.Destination server, Plan plan) throws SQLException {
        Target.RestoreOptions options = plan.target().restore();
        if (options.keepOwners()) {
            return;
        }
        try (Connection c = server.maintenance().open(); PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = ?")) {
            ps.setString(1, options.role());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new PermanentJobException("role " + options.role() + " does not exist on " + server.describe()
                            + ", and the restored objects would belong to it (restore.role of target " + plan.target().name()
                            + "). Nothing was restored. Hint: create the role there, or set lifeboat.targets." + plan.target().name()
                            + ".restore.role to a role that exists on both servers");
                }
            }
        }
    }

    /** The scratch restore; what is wrong with the backup fails the job for good, saying nothing was restored. */
    private ScratchRestore.Scratch restoreIntoScratch(JobContext ctx, ScratchRestore.Request request, ScratchRestore.Destination server,
                                                      Plan plan) throws Exception {
        try {
            return scratchRestore.restore(ctx, request, server);
        } catch (ScratchRestore.UnusableBackupException e) {
            throw new PermanentJobException(failure(plan, e), e);
        }
    }

    private static String failure(Plan plan, ScratchRestore.UnusableBackupException e) {
        UUID id = plan.backup().id;
        String untouched = plan.untouched();
        String hint = e.hint() == null ? "" : " Hint: " + e.hint();
        return switch (e.step()) {
            case STORED_COPY -> "the stored copy of backup " + id + " in storage " + e.storage() + " is damaged: " + e.getMessage()
                    + ". Nothing was restored." + untouched + " Hint: POST /api/v1/backups/" + id + "/verify, and restore another backup";
            case MANIFEST -> "backup " + id + " is damaged: " + e.getMessage() + ". Nothing was restored." + untouched
                    + " Hint: restore another backup";
            case SELECTION -> e.getMessage();
            case GLOBALS -> "cannot apply the globals of backup " + id + ": " + e.getMessage() + ". Nothing was restored.";
            case KEY -> "cannot decrypt backup " + id + ": " + e.getMessage() + ". Nothing was restored." + untouched + hint;
            case PG_RESTORE -> "restore of backup " + id + " failed, the half-made database was dropped: " + e.getMessage() + untouched
                    + (e.getMessage().matches("(?s).*role \"[^\"]*\" does not exist.*") ? " Hint: the server restored to has no such role:"
                    + " create it (or restore with \"globals\": true), or let objects belong to restore.role (restore.keep-owners=false)"
                    + " and leave out grants (restore.privileges=false)" : "");
        };
    }

    /** How the restored copy took its place: for replace mode, the checks, hooks and the kept database. */
    private record Swapped(List<Check> checks, String preRestoreHook, String keptDatabase, String postRestoreHook,
                           List<String> warnings) {
        static final Swapped RENAMED = new Swapped(null, null, null, null, List.of());
    }

    /** New mode: the scratch database takes the requested name. */
    private static Swapped rename(JobContext ctx, ScratchRestore.Scratch scratch, PgConnectInfo maintenance, Plan plan)
            throws SQLException {
        try (Connection c = maintenance.open(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.execute("ALTER DATABASE " + Databases.quoteIdent(scratch.name()) + " RENAME TO " + Databases.quoteIdent(plan.database()));
            st.execute(Databases.commentStatement(plan.database(), Databases.restoredComment(ctx.jobId(), plan.backup().id)));
            c.commit();
        } catch (SQLException e) {
            if ("42P04".equals(e.getSQLState())) {
                throw new PermanentJobException("database " + plan.database() + " was created by someone else while the restore ran;"
                        + " the restored copy was dropped. Hint: choose another name", e);
            }
            throw e;
        }
        scratch.handOver();
        return Swapped.RENAMED;
    }

    /**
     * Replace mode: the restored copy must match the backup's snapshot, the application is told to stop
     * (pre-restore hook), then the databases swap names and the application is told to start again.
     */
    private Swapped swap(JobContext ctx, Plan plan, ScratchRestore.Scratch scratch, PgConnectInfo maintenance) throws Exception {
        ctx.progress("checking", null, null);
        List<Check> checks = scratch.manifestChecks();
        List<String> failed = checks.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
        if (!failed.isEmpty()) {
            throw new PermanentJobException("the restored copy does not match backup " + plan.backup().id + " (" + String.join("; ", failed)
                    + "); it was dropped." + plan.untouched());
        }
        ctx.throwIfCancelled();
        Target.RestoreOptions options = plan.target().restore();
        String preHook = null;
        if (options.preRestore() != null) {
            ctx.progress("pre-restore hook", null, null);
            try {
                Hooks.call("pre-restore", options.preRestore(), hookBody(Hooks.PRE_RESTORE, ctx, plan, null, null), options.hookTimeout(), options.hookSecret(), json);
            } catch (Hooks.HookFailedException e) {
                throw new PermanentJobException(e.getMessage() + "; the restore was aborted and its copy dropped." + plan.untouched(), e);
            }
            preHook = "ok";
        }
        List<String> warnings = new ArrayList<>();
        try {
            ctx.throwIfCancelled();
            // From here on the swap runs to its end: it takes a moment, and half of it would be worse than either side.
            ctx.progress("swapping", null, null);
            String warning = Swap.swap(maintenance, plan.database(), scratch.name(), plan.kept(),
                    new Swap.Owner(ctx.jobId(), plan.target().name(), fences, ctx::confirmLease,
                            Databases.restoredComment(ctx.jobId(), plan.backup().id)));
            if (warning != null) {
                warnings.add(warning);
            }
        } catch (Exception | Error e) {
            if (preHook != null) {
                // Hooks come in pairs: the application the pre-restore hook stopped is started again.
                postHookAfterNoSwap(ctx, plan, options);
            }
            throw e;
        }
        scratch.handOver();
        LOG.infof("replaced %s of target %s with backup %s; the old database is kept as %s", plan.database(), plan.target().name(),
                plan.backup().id, plan.kept());
        return new Swapped(checks, preHook, plan.kept(), postHookAfterSwap(ctx, plan, warnings), warnings);
    }

    /**
     * After the swap: the post-restore hook hears {@code "outcome": "swapped"}. Returns {@code ok},
     * {@code failed} (a warning says so: the restore stays done) or null when none is configured.
     */
    private String postHookAfterSwap(JobContext ctx, Plan plan, List<String> warnings) throws InterruptedException {
        Target.RestoreOptions options = plan.target().restore();
        if (options.postRestore() == null) {
            return null;
        }
        ctx.progress("post-restore hook", null, null);
        try {
            Hooks.call("post-restore", options.postRestore(), hookBody(Hooks.POST_RESTORE, ctx, plan, plan.kept(), "swapped"),
                    options.hookTimeout(), options.hookSecret(), json);
            return "ok";
        } catch (Hooks.HookFailedException e) {
            warnings.add(e.getMessage() + " (the restore itself is done; start the application by hand)");
            LOG.warn(e.getMessage());
            return "failed";
        }
    }

    /**
     * The pre-restore hook stopped the application, and the restore ends without swapping (it failed,
     * was cancelled, or lost its lease): the post-restore hook hears {@code "outcome": "failed"} or
     * {@code "cancelled"}, so the application is started again on the untouched database.
     */
    private void postHookAfterNoSwap(JobContext ctx, Plan plan, Target.RestoreOptions options) {
        if (options.postRestore() == null) {
            LOG.warnf("the restore of %s ends without swapping after its pre-restore hook stopped the application, and no"
                    + " post-restore hook is configured: start the application by hand", plan.database());
            return;
        }
        String outcome = ctx.stopReason() == JobContext.StopReason.CANCEL_REQUESTED ? "cancelled" : "failed";
        try {
            Hooks.call("post-restore", options.postRestore(), hookBody(Hooks.POST_RESTORE, ctx, plan, null, outcome),
                    options.hookTimeout(), options.hookSecret(), json);
        } catch (Hooks.HookFailedException e) {
            LOG.errorf("%s after a restore that did not swap: start the application by hand", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The hooks' JSON body; {@code outcome} (post-restore only): {@code swapped}, {@code failed} or {@code cancelled}. */
    private static Map<String, Object> hookBody(String event, JobContext ctx, Plan plan, String kept, String outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("jobId", ctx.jobId().toString());
        body.put("target", plan.target().name());
        body.put("database", plan.database());
        body.put("backupId", plan.backup().id.toString());
        if (kept != null) {
            body.put("keptDatabase", kept);
        }
        if (outcome != null) {
            body.put("outcome", outcome);
        }
        return body;
    }

    private static RestoreResult result(Plan plan, RestoreArgs args, ScratchRestore.Scratch scratch, Swapped swapped) {
        List<String> warnings = new ArrayList<>(scratch.warnings());
        warnings.addAll(swapped.warnings());
        Selection selection = args.selection();
        return new RestoreResult(plan.backup().id, plan.target().name(), plan.mode(), plan.database(), scratch.destination().name(),
                scratch.destination().info().version(), scratch.storage(), scratch.globals(),
                Math.round(scratch.restoreSeconds() * 1000) / 1000.0, swapped.checks(), swapped.preRestoreHook(), swapped.keptDatabase(),
                swapped.postRestoreHook(), selection == null ? null : selection.tables(), selection == null ? null : selection.schemas(),
                scratch.jobs(), warnings);
    }

    /**
     * An earlier attempt of this job died after its rename or swap committed but before its success was
     * recorded (its replica was killed, or lost Lifeboat's database): the database carries this job's
     * comment, so the restore is done and this attempt only says so. A replace's post-restore hook is
     * called (again, perhaps: hooks must be idempotent), since the application may still be stopped.
     *
     * @return the result, or null when the restore has not happened yet
     */
    private RestoreResult doneByEarlierAttempt(JobContext ctx, Plan plan, RestoreArgs args, ScratchRestore.Destination server)
            throws Exception {
        String comment = Databases.comment(server.maintenance(), plan.database());
        if (!Databases.restoredComment(ctx.jobId(), plan.backup().id).equals(comment)) {
            return null;
        }
        List<String> warnings = new ArrayList<>();
        warnings.add("an earlier attempt of this job restored backup " + plan.backup().id + " into " + plan.database()
                + " but stopped before its success was recorded; this attempt found the database it made and restored nothing again");
        String postHook = plan.replace() ? postHookAfterSwap(ctx, plan, warnings) : null;
        LOG.warnf("restore job %s: %s", ctx.jobId(), warnings.get(0));
        Selection selection = args.selection();
        return new RestoreResult(plan.backup().id, plan.target().name(), plan.mode(), plan.database(), server.name(),
                server.info().version(), null, null, null, null, null, plan.replace() ? plan.kept() : null, postHook,
                selection == null ? null : selection.tables(), selection == null ? null : selection.schemas(),
                args.jobs() == null ? 0 : args.jobs(), warnings);
    }

    /**
     * An earlier attempt of this replace died (its replica was killed, or lost Lifeboat's database) and
     * may have left the live database fenced: let clients in again before anything else, but only if
     * no live session holds the fence (an attempt that is still running elsewhere would be swapping).
     */
    private void reopenAfterCrash(PgConnectInfo maintenance, UUID jobId, String database, String kept) throws SQLException {
        try (ServerLock lock = ServerLock.tryTake(maintenance, ServerLock.fence(database))) {
            if (lock == null) {
                throw new IllegalStateException("an earlier attempt of this restore still holds database " + database
                        + " (it runs on a replica that lost Lifeboat's database); it is left alone, and this attempt is retried");
            }
            // Before the swap the fence is on the live database; after it, on the kept one.
            for (String name : List.of(database, kept)) {
                try (PreparedStatement ps = lock.connection().prepareStatement(
                        "SELECT NOT datallowconn FROM pg_catalog.pg_database WHERE datname = ?")) {
                    ps.setString(1, name);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && rs.getBoolean(1)) {
                            LOG.warnf("database %s refuses connections, fenced by an earlier attempt of this restore: re-allowing them", name);
                            try (Statement st = lock.connection().createStatement()) {
                                st.execute("ALTER DATABASE " + Databases.quoteIdent(name) + " WITH ALLOW_CONNECTIONS true");
                            }
                        }
                    }
                }
            }
            fences.lifted(jobId, database, "a later attempt of the restore");
        }
    }
}
