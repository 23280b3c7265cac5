package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.drill.DrillArgs;
import dev.lifeboat.target.Target;
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

import java.util.Set;
import java.util.TreeSet;

@Path("/api/v1/drills")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Drills", description = "Restore drills that prove a backup restores")
public class DrillResource {

    @Schema(name = "DrillRequest")
    public record DrillRequest(@Schema(description = "The target; may be left out when backupId is given (the backup's own target)", example = "demo") String target,
                               @Schema(description = "Backup to drill; default: the target's newest") String backupId,
                               @Schema(description = "Restore into this server (lifeboat.servers.<name>: the target's drill.server or one of its restore.servers), e.g. a newer PostgreSQL major before an upgrade; default the target's drill.server, else its own server", example = "pg17") String server) {
    }

    @Inject
    JobSubmission submission;
    @Inject
    BackupCatalog catalog;

    @POST
    @Requires(Role.OPERATOR)
    @Operation(summary = "Start a restore drill", description = "Queues a drill job: the backup's stored copy is checked, "
            + "decrypted, restored with pg_restore into a scratch database lifeboat_drill_<id> on the target's server, its "
            + "exact row counts and schema object counts compared with the backup's, the restore timed, and the scratch "
            + "database dropped. The job's result says passed true or false, with each check and, when it failed, the reason.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "422", ref = "Unprocessable")
    public Response startDrill(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                       schema = @Schema(implementation = DrillRequest.class),
                                       examples = {@ExampleObject(name = "newest", summary = "Drill the demo target's newest backup", value = "{\"target\": \"demo\"}"),
                                               @ExampleObject(name = "backup", summary = "Drill one backup (an id from GET /api/v1/backups?target=demo)", value = "{\"backupId\": \"0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70\"}")}))
                               DrillRequest request,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body is required, e.g. {\"target\": \"mastodon\"}.");
        }
        Backup backup;
        String target;
        if (request.backupId() != null && !request.backupId().isBlank()) {
            // As a restore does: the backup names its target; a target given too must be that one.
            String named = request.target() == null || request.target().isBlank() ? null : request.target();
            backup = submission.requireBackup(request.backupId(), named);
            target = submission.requireTarget(backup.target).name();
        } else {
            target = submission.requireTarget(request.target()).name();
            backup = catalog.newest(target).orElseThrow(() -> ApiException.unprocessable(
                    "target " + target + " has no available backup to drill. Hint: POST /api/v1/backups first."));
        }
        String server = request.server() == null || request.server().isBlank() ? null : request.server();
        if (server != null) {
            Target t = submission.requireTarget(target);
            Set<String> allowed = new TreeSet<>(t.restore().servers());
            if (t.drill().server() != null) {
                allowed.add(t.drill().server());
            }
            if (!allowed.contains(server)) {
                throw ApiException.unprocessable("server '" + Params.shorten(server) + "' is not one target " + target
                        + " may be drilled on. Allowed servers: " + allowed + " (lifeboat.targets." + target
                        + ".drill.server and .restore.servers).");
            }
        }
        return submission.submit(new DrillArgs(backup.id, server), target, idempotencyKey);
    }
}
