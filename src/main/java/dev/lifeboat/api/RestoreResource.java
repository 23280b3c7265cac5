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

@Path("/api/v1/restores")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Restores", description = "Restores into a new database, or replace by swap")
public class RestoreResource {

    @Schema(name = "RestoreRequest")
    public record RestoreRequest(@Schema(description = "Backup to restore") String backupId,
                                 @Schema(description = "With latest=true: the target whose newest backup to restore") String target,
                                 Boolean latest,
                                 @Schema(description = "New database to restore into (the safe default)") String database,
                                 @Schema(enumeration = {"new", "replace"}) String mode,
                                 @Schema(description = "For mode=replace: must equal the target name") String confirm) {
    }

    @POST
    @Requires(Role.ADMIN)
    @Operation(summary = "Start a restore", description = "Not implemented in this version: answers 501.")
    @APIResponse(responseCode = "202", description = "Queued; Location points to the job")
    @APIResponse(responseCode = "501", ref = "NotImplemented")
    public Response startRestore(RestoreRequest request,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        throw new ApiException(501, "Restores are not implemented in this version of Lifeboat yet.");
    }
}
