package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/drills")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Drills", description = "Restore drills that prove a backup restores")
public class DrillResource {

    @Schema(name = "DrillRequest")
    public record DrillRequest(@Schema(required = true, example = "mastodon") String target,
                               @Schema(description = "Backup to drill; default: the target's newest") String backupId) {
    }

    @POST
    @Requires(Role.OPERATOR)
    @Operation(summary = "Start a restore drill", description = "Not implemented in this version: answers 501.")
    @APIResponse(responseCode = "202", description = "Queued; Location points to the job")
    @APIResponse(responseCode = "501", ref = "NotImplemented")
    public Response startDrill(DrillRequest request,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        throw new ApiException(501, "Restore drills are not implemented in this version of Lifeboat yet.");
    }
}
