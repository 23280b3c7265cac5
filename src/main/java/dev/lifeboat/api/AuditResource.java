package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;

@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Audit", description = "Who did what through the API")
public class AuditResource {

    @Schema(name = "AuditPage")
    public record AuditPage(List<AuditLog.Entry> items,
                            @Schema(description = "Opaque cursor of the next page; null on the last page") String nextCursor) {
    }

    @Inject
    AuditLog audit;

    @GET
    @Requires(Role.ADMIN)
    @Operation(summary = "Read the audit log, newest first", description = "Every mutating API call (start, cancel, delete, pin, "
            + "unpin, prune, restore, rebuild), allowed or refused: token name, role, action, target, job or backup, HTTP status and "
            + "time. Kept for lifeboat.audit.retention (default 365 days). Cursor-paginated.")
    @APIResponse(responseCode = "200", description = "A page of entries",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = AuditPage.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    public AuditPage readAudit(@Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
                               @Parameter(description = "Page size, 1 to 500 (default 50)", schema = @Schema(type = SchemaType.INTEGER))
                               @QueryParam("limit") String limitParam) throws SQLException {
        int limit = Params.intInRange("limit", limitParam, 50, 1, 500);
        Long before = null;
        if (cursor != null && !cursor.isBlank()) {
            try {
                before = Long.parseLong(cursor);
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("cursor '" + Params.shorten(cursor) + "' is not valid. Hint: pass the nextCursor of the previous page unchanged");
            }
        }
        List<AuditLog.Entry> rows = audit.page(before, limit + 1);
        List<AuditLog.Entry> items = rows.subList(0, Math.min(limit, rows.size()));
        String next = rows.size() > limit ? Long.toString(items.get(items.size() - 1).id()) : null;
        return new AuditPage(List.copyOf(items), next);
    }
}
