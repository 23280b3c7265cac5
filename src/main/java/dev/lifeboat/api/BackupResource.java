package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
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

import java.util.Map;

@Path("/api/v1/backups")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Backups", description = "pg_dump backups and their catalog")
public class BackupResource {

    @Schema(name = "BackupRequest")
    public record BackupRequest(@Schema(required = true, description = "A configured target name", example = "mastodon") String target) {
    }

    @Inject
    JobSubmission submission;

    @POST
    @Requires(Role.OPERATOR)
    @Operation(summary = "Start a backup", description = "Queues a backup job and answers at once with it. "
            + "Poll GET /api/v1/jobs/{id}?waitSeconds=N for the outcome. A repeated Idempotency-Key returns the same job.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "422", ref = "Unprocessable")
    public Response startBackup(BackupRequest request,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (request == null) {
            throw ApiException.badRequest("A JSON body is required, e.g. {\"target\": \"mastodon\"}.");
        }
        String target = submission.requireTarget(request.target()).name();
        return submission.submit("backup", target, Map.of(), idempotencyKey);
    }
}
