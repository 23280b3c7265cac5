package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.backup.CatalogRebuildArgs;
import jakarta.inject.Inject;
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


@Path("/api/v1/catalog")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Backups")
public class CatalogResource {

    @Inject
    JobSubmission submission;

    @POST
    @Path("/rebuild")
    @Requires(Role.ADMIN)
    @Operation(summary = "Rebuild the catalog from the stored manifests", description = "Queues a catalog_rebuild job (admin): it "
            + "lists every storage's manifest.json objects and recreates the catalog rows that are missing, one per backup with a "
            + "location per storage holding it. Idempotent; it never deletes or changes an existing row. Use it after Lifeboat's own "
            + "database was lost. The job's result: manifests, backups, created, existing, skipped (with reasons).")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            headers = @Header(name = "Location", description = "The job", schema = @Schema(implementation = String.class)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    public Response rebuild(@Parameter(description = "Makes retries safe: the same key returns the same job")
                            @HeaderParam("Idempotency-Key") String idempotencyKey) {
        return submission.submit(new CatalogRebuildArgs(), null, idempotencyKey);
    }
}
