package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.restore.Databases;
import dev.lifeboat.restore.RestoreArgs;
import dev.lifeboat.restore.RestoreMode;
import dev.lifeboat.restore.ScratchRestore;
import dev.lifeboat.restore.Selection;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;

import java.time.Duration;
import java.util.List;
import java.util.Map;

@Path("/api/v1/restores")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Restores", description = "Restores into a new database, or replace by swap")
public class RestoreResource {
    static final int MAX_NAMES = 100;

    @Schema(name = "RestoreRequest")
    public record RestoreRequest(
            @Schema(description = "The backup to restore (or target with latest=true)") String backupId,
            @Schema(description = "With latest=true: restore this target's newest available backup") String target,
            @Schema(description = "Restore the target's newest available backup") Boolean latest,
            @Schema(description = "new (default): into the new database `database`; replace: swap the target's database", enumeration = {"new", "replace"}) String mode,
            @Schema(description = "mode=new: the database to create (letters, digits, _ and $; must not exist)", example = "demo_restored") String database,
            @Schema(description = "mode=replace: must equal the target's name") String confirm,
            @Schema(description = "Selective restore (mode=new): tables as schema.table or table (public); definition, rows and non-foreign-key constraints") List<String> tables,
            @Schema(description = "Selective restore (mode=new): every object of these schemas") List<String> schemas,
            @Schema(description = "Apply the backup's stored globals (roles) first; errors for roles that exist are reported as warnings") Boolean globals,
            @Schema(description = "Parallel pg_restore jobs (default: lifeboat.targets.<name>.restore.jobs); above 1 the archive is spooled to local disk", minimum = "1", maximum = "64") Integer jobs,
            @Schema(description = "mode=new: restore to another server (lifeboat.servers.<name>, one of the target's restore.servers), e.g. a new host or a newer PostgreSQL major; default the target's own server", example = "pg17") String server) {
    }

    @Inject
    JobSubmission submission;
    @Inject
    BackupCatalog catalog;
    @Inject
    Targets targets;

    /** How long a request waits to ask the destination server whether the new database exists. */
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    @POST
    @Requires(Role.ADMIN)
    @Operation(summary = "Start a restore", description = "Queues a restore job (admin only). Before anything touches PostgreSQL the "
            + "stored copy is read whole and checked against the catalog's size and SHA-256, and the decryption key is proven to fit. "
            + "The backup is restored with pg_restore --exit-on-error into a scratch database lifeboat_restore_<id>, which a failure "
            + "or cancel drops. mode=new renames it to `database` (which must not exist). mode=replace (needs confirm=<target name>) "
            + "checks its row and schema counts against the backup, calls the pre-restore hook, fences the target's database, renames it "
            + "to <db>_before_<8 hex of the job id> (kept, never dropped), puts the restored database in its place, and calls the "
            + "post-restore hook. The job's result: backupId, database, restoreSeconds, keptDatabase (replace), warnings.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "422", ref = "Unprocessable")
    public Response startRestore(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                         schema = @Schema(implementation = RestoreRequest.class),
                                         examples = {@ExampleObject(name = "new", summary = "The demo's newest backup into a new database", value = "{\"target\": \"demo\", \"latest\": true, \"database\": \"demo_restored\"}"),
                                                 @ExampleObject(name = "tables", summary = "One table of it into a new database", value = "{\"target\": \"demo\", \"latest\": true, \"database\": \"demo_accounts\", \"tables\": [\"public.pgbench_accounts\"]}"),
                                                 @ExampleObject(name = "replace", summary = "Replace the demo's database (the old one is kept)", value = "{\"target\": \"demo\", \"latest\": true, \"mode\": \"replace\", \"confirm\": \"demo\"}")}))
                                 RestoreRequest request,
                                 @Parameter(description = "Makes retries safe: the same key returns the same job")
                                 @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body is required, e.g. {\"backupId\": \"…\", \"database\": \"mastodon_restored\"}.");
        }
        Backup backup = backup(request);
        Target target = submission.requireTarget(backup.target);
        if (!Backup.AVAILABLE.equals(backup.status)) {
            throw ApiException.unprocessable("backup " + backup.id + " is " + backup.status + (backup.error == null ? "" : " (" + backup.error + ")")
                    + ". Hint: restore another backup of " + target.name() + ".");
        }
        String modeParam = request.mode() == null || request.mode().isBlank() ? RestoreMode.NEW.id() : request.mode();
        RestoreMode mode = RestoreMode.parse(modeParam).orElseThrow(() -> ApiException.unprocessable(
                "mode '" + Params.shorten(modeParam) + "' is unknown. Hint: new (default) or replace."));
        String database = null;
        List<String> tables = names("tables", request.tables());
        List<String> schemas = names("schemas", request.schemas());
        switch (mode) {
            case NEW -> {
                String db = request.database();
                if (db == null || db.isBlank()) {
                    throw ApiException.unprocessable("database is required: the name of the new database to restore into"
                            + " (it must not exist). To replace the target's database use mode=replace with confirm=" + target.name() + ".");
                }
                if (!Selection.PART.matcher(db).matches()) {
                    throw ApiException.unprocessable("database '" + Params.shorten(db) + "' is not an acceptable name. Hint: up to 63"
                            + " letters, digits, _ and $, starting with a letter or _.");
                }
                if (ScratchRestore.isScratchName(db)) {
                    throw ApiException.unprocessable("database names starting with lifeboat_restore_ or lifeboat_drill_ are Lifeboat's scratch databases.");
                }
                if (request.confirm() != null) {
                    throw ApiException.unprocessable("confirm is only for mode=replace; a restore into a new database needs none.");
                }
                database = db;
            }
            case REPLACE -> {
                if (request.confirm() == null || !request.confirm().equals(target.name())) {
                    throw ApiException.unprocessable((request.confirm() == null ? "confirm is missing" : "confirm does not match")
                            + ": mode=replace swaps the live database " + target.database() + " of target " + target.name()
                            + ", so confirm must be exactly the target's name. Nothing was queued.");
                }
                if (request.database() != null && !request.database().equals(target.database())) {
                    throw ApiException.unprocessable("mode=replace restores into the target's own database " + target.database()
                            + "; leave database out, or use mode=new to restore into " + Params.shorten(request.database()) + ".");
                }
                if (!tables.isEmpty() || !schemas.isEmpty()) {
                    throw ApiException.unprocessable("a selective restore (tables, schemas) goes into a new database only. Hint: mode=new with database.");
                }
            }
        }
        for (String t : tables) {
            if (Selection.splitTable(t) == null) {
                throw ApiException.unprocessable("table '" + Params.shorten(t) + "' is not acceptable. Hint: schema.table or table, each part"
                        + " letters, digits, _ and $ as PostgreSQL stores it (unquoted).");
            }
        }
        for (String s : schemas) {
            if (!Selection.PART.matcher(s).matches()) {
                throw ApiException.unprocessable("schema '" + Params.shorten(s) + "' is not acceptable. Hint: letters, digits, _ and $.");
            }
        }
        boolean selective = !tables.isEmpty() || !schemas.isEmpty();
        if (selective) {
            List<String> missing = new Selection(tables, schemas).missingFrom(backup.rowCounts == null ? Map.of() : backup.rowCounts);
            if (!missing.isEmpty()) {
                throw ApiException.unprocessable("backup " + backup.id + " holds no " + String.join(", ", missing)
                        + ". Hint: its tables are the keys of rowCounts in GET /api/v1/backups/" + backup.id + ".");
            }
        }
        boolean globals = Boolean.TRUE.equals(request.globals());
        if (globals && !backup.globals) {
            throw ApiException.unprocessable("backup " + backup.id + " has no stored globals. Hint: set lifeboat.targets."
                    + target.name() + ".globals=true for future backups.");
        }
        if (request.jobs() != null && (request.jobs() < 1 || request.jobs() > 64)) {
            throw ApiException.unprocessable("jobs must be between 1 and 64.");
        }
        String server = request.server() == null || request.server().isBlank() ? null : request.server();
        if (server != null) {
            if (mode == RestoreMode.REPLACE) {
                throw ApiException.unprocessable("mode=replace stays on the target's own server; to restore to server '"
                        + Params.shorten(server) + "', use mode=new with a database name.");
            }
            if (!target.restore().servers().contains(server)) {
                throw ApiException.unprocessable("server '" + Params.shorten(server) + "' is not one target " + target.name()
                        + " may be restored to. Allowed servers: " + target.restore().servers() + " (lifeboat.targets." + target.name()
                        + ".restore.servers).");
            }
        }
        RestoreArgs args = new RestoreArgs(backup.id, mode, database, selective ? tables : null, selective ? schemas : null,
                globals ? Boolean.TRUE : null, request.jobs(), server);
        String newDatabase = database;
        return submission.submit(args, target.name(), idempotencyKey, () -> {
            if (newDatabase != null) {
                refuseExisting(target, server, newDatabase);
            }
        });
    }

    /**
     * A restore into a new database that exists already is refused now, not by the job later. A server
     * that cannot be asked is no reason to refuse: the job checks again and says what it found.
     */
    private void refuseExisting(Target target, String server, String database) {
        boolean exists;
        String where;
        try {
            PgConnectInfo maintenance = server == null ? PgConnectInfo.of(target, ASK_TIMEOUT).maintenance()
                    : targets.server(server).map(s -> PgConnectInfo.of(s, s.maintenanceDb(), ASK_TIMEOUT)).orElseThrow();
            where = server == null ? "the server of target " + target.name() : "server " + server;
            exists = Databases.exists(maintenance, database);
        } catch (Exception unreachable) {
            return;
        }
        if (exists) {
            throw ApiException.unprocessable("database " + database + " already exists on " + where + "; a restore never"
                    + " overwrites a database. Hint: choose another name, or use mode=replace with confirm=" + target.name()
                    + " to replace the target's own database.");
        }
    }

    private Backup backup(RestoreRequest request) {
        if (request.backupId() != null && !request.backupId().isBlank()) {
            return submission.requireBackup(request.backupId(), request.target());
        }
        if (Boolean.TRUE.equals(request.latest())) {
            String target = submission.requireTarget(request.target()).name();
            return catalog.newest(target).orElseThrow(() -> ApiException.unprocessable(
                    "target " + target + " has no available backup to restore."));
        }
        throw ApiException.unprocessable("say which backup to restore: backupId, or target with \"latest\": true.");
    }

    private static List<String> names(String field, List<String> names) {
        if (names == null) {
            return List.of();
        }
        if (names.size() > MAX_NAMES) {
            throw ApiException.unprocessable(field + " lists " + names.size() + " names; at most " + MAX_NAMES + ".");
        }
        if (names.stream().anyMatch(n -> n == null || n.isBlank())) {
            throw ApiException.unprocessable(field + " holds an empty name.");
        }
        return List.copyOf(names);
    }
}
