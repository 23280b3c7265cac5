package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.auth.Tokens;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.backup.BackupArgs;
import dev.lifeboat.backup.BackupRemover;
import dev.lifeboat.backup.VerifyArgs;
import dev.lifeboat.retention.Retention;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

@Path("/api/v1/backups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Backups", description = "pg_dump backups and their catalog")
public class BackupResource {

    @Schema(name = "BackupRequest")
    public record BackupRequest(@Schema(required = true, description = "A configured target name", example = "demo") String target) {
    }

    @Inject
    JobSubmission submission;
    @Inject
    BackupCatalog catalog;
    @Inject
    BackupRemover remover;
    @Inject
    Retention retention;

    @POST
    @Requires(Role.OPERATOR)
    @Operation(summary = "Start a backup", description = "Queues a backup job and answers at once with it. "
            + "Poll GET /api/v1/jobs/{id}?waitSeconds=N for the outcome. A repeated Idempotency-Key returns the same job.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "422", ref = "Unprocessable")
    public Response startBackup(@RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                        schema = @Schema(implementation = BackupRequest.class),
                                        examples = @ExampleObject(name = "demo", summary = "Back up the local demo target", value = "{\"target\": \"demo\"}")))
                                BackupRequest request,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body is required, e.g. {\"target\": \"mastodon\"}.");
        }
        String target = submission.requireTarget(request.target()).name();
        return submission.submit(new BackupArgs(), target, idempotencyKey);
    }

    @GET
    @Requires(Role.VIEWER)
    @Operation(summary = "List backups, newest first", description = "Only complete backups are listed: every copy stored and "
            + "checked, manifest written. Cursor-paginated; filter by target.")
    @APIResponse(responseCode = "200", description = "A page of backups",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupPage.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    public Page<BackupView> listBackups(@QueryParam("target") String target,
                                        @Parameter(schema = @Schema(enumeration = {"available", "damaged"})) @QueryParam("status") String status,
                                        @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
                                        @Parameter(description = "Page size, 1 to 500 (default 50)", schema = @Schema(type = SchemaType.INTEGER))
                                        @QueryParam("limit") String limitParam) {
        int limit = Params.intInRange("limit", limitParam, 50, 1, 500);
        if (status != null && !status.isBlank() && !Backup.AVAILABLE.equals(status) && !Backup.DAMAGED.equals(status)) {
            throw ApiException.badRequest("status '" + Params.shorten(status) + "' is unknown. Hint: use available or damaged.");
        }
        Cursor c = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
        List<Backup> rows = catalog.page(blankToNull(target), blankToNull(status), c == null ? null : c.createdAt(),
                c == null ? null : c.id(), limit + 1);
        List<BackupView> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(BackupView.of(rows.get(i)));
        }
        String next = null;
        if (rows.size() > limit) {
            Backup last = rows.get(limit - 1);
            next = new Cursor(last.createdAt, last.id).encode();
        }
        return new Page<>(items, next);
    }

    @GET
    @Path("/{id}")
    @Requires(Role.VIEWER)
    @Operation(summary = "Get a backup")
    @APIResponse(responseCode = "200", description = "The backup",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public BackupView getBackup(@PathParam("id") String idParam) {
        return BackupView.of(require(idParam));
    }

    @DELETE
    @Path("/{id}")
    @Requires(Role.ADMIN)
    @Operation(summary = "Delete a backup", description = "Deletes every stored object of the backup (the manifest first, so a "
            + "half-deleted backup never looks complete), then its catalog entry. A pinned backup, or one a queued or running "
            + "restore, drill or verify uses, is refused with 409 unless force=true. If a storage cannot be reached the entry is "
            + "kept and the request fails with 503: repeat it later.")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "409", ref = "Conflict")
    @APIResponse(responseCode = "503", description = "A storage could not be reached; nothing was removed from the catalog",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response deleteBackup(@PathParam("id") String idParam,
                                 @Parameter(description = "Delete even a pinned backup or one a queued or running job uses",
                                         schema = @Schema(type = SchemaType.BOOLEAN)) @QueryParam("force") String forceParam) {
        Backup backup = require(idParam);
        boolean force = Params.bool("force", forceParam);
        if (!force && backup.pinned) {
            throw ApiException.conflict("backup " + backup.id + " is pinned (" + (backup.pinnedReason == null ? "no reason given"
                    : backup.pinnedReason) + "). Hint: POST /api/v1/backups/" + backup.id + "/unpin first, or DELETE with force=true.");
        }
        if (!force && retention.backupsInUse().contains(backup.id)) {
            throw ApiException.conflict("backup " + backup.id + " is in use by a queued or running restore, drill or verify."
                    + " Hint: wait for it (GET /api/v1/jobs?state=running), or DELETE with force=true.");
        }
        try {
            remover.remove(backup);
        } catch (IOException e) {
            throw new ApiException(503, e.getMessage() + ". The backup stays in the catalog; repeat the request when the storage is back.");
        }
        return Response.noContent().build();
    }

    @POST
    @Path("/{id}/pin")
    @Requires(Role.ADMIN)
    @Operation(summary = "Pin a backup", description = "A pinned backup is never deleted by retention (a prune), whatever the rules.")
    @APIResponse(responseCode = "200", description = "The backup, pinned",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public BackupView pin(@PathParam("id") String idParam, @Context ContainerRequestContext request) {
        Tokens.Caller caller = (Tokens.Caller) request.getProperty(AuthFilter.CALLER);
        String reason = "by an admin (token " + (caller == null ? "?" : caller.tokenName()) + ")";
        return BackupView.of(catalog.pin(require(idParam).id, true, reason).orElseThrow(() -> ApiException.notFound("backup " + idParam + " is not in the catalog.")));
    }

    @POST
    @Path("/{id}/unpin")
    @Requires(Role.ADMIN)
    @Operation(summary = "Unpin a backup", description = "Retention rules apply to it again.")
    @APIResponse(responseCode = "200", description = "The backup, unpinned",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BackupView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public BackupView unpin(@PathParam("id") String idParam) {
        return BackupView.of(catalog.pin(require(idParam).id, false, null).orElseThrow(() -> ApiException.notFound("backup " + idParam + " is not in the catalog.")));
    }

    @POST
    @Path("/{id}/verify")
    @Requires(Role.OPERATOR)
    @Operation(summary = "Verify a backup", description = "Queues a verify job that reads every stored copy back and checks its "
            + "size and SHA-256. The job fails (and the backup becomes damaged) if a copy is missing or differs.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Response verifyBackup(@PathParam("id") String idParam,
                                 @Parameter(description = "Makes retries safe: the same key returns the same job")
                                 @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Backup backup = require(idParam);
        return submission.submit(new VerifyArgs(backup.id), backup.target, idempotencyKey);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private Backup require(String idParam) {
        UUID id = Params.uuid("backup id", idParam);
        return catalog.find(id).orElseThrow(() -> ApiException.notFound("backup " + id + " is not in the catalog."));
    }
}
