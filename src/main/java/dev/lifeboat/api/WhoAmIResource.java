package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.auth.Tokens;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.ArrayList;
import java.util.List;

@Path("/api/v1/whoami")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Tokens", description = "Who the bearer token is")
public class WhoAmIResource {

    /** What each role adds to the one below it; the API's {@link Requires} annotations are what enforce it. */
    private static final List<String> VIEWER_MAY = List.of("read");
    private static final List<String> OPERATOR_MAY = List.of("backup", "drill", "verify", "cancel", "prune");
    private static final List<String> ADMIN_MAY = List.of("restore", "pin", "delete", "catalog-rebuild", "audit");

    @Schema(name = "WhoAmI")
    public record WhoAmI(@Schema(description = "The token's configured name (lifeboat.auth.tokens.<name>)", example = "ci") String token,
                         @Schema(enumeration = {"viewer", "operator", "admin"}) String role,
                         @Schema(description = "What the role may do: read (targets, backups, jobs, retention); operator: backup, drill, "
                                 + "verify, cancel, prune; admin: restore, pin, delete, catalog-rebuild, audit",
                                 example = "[\"read\", \"backup\", \"drill\", \"verify\", \"cancel\", \"prune\"]") List<String> may) {
    }

    @Inject
    CurrentCaller current;

    @GET
    @Requires(Role.VIEWER)
    @Operation(summary = "Who am I", description = "The calling token's name, its role and what that role may do. The dashboard "
            + "uses it to sign in and to show only the actions the token may take; the API checks the role on every call anyway.")
    @APIResponse(responseCode = "200", description = "The caller",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WhoAmI.class)))
    public WhoAmI whoAmI() {
        Tokens.Caller caller = current.get();
        return new WhoAmI(caller.tokenName(), caller.role().id(), may(caller.role()));
    }

    static List<String> may(Role role) {
        List<String> may = new ArrayList<>(VIEWER_MAY);
        if (role.includes(Role.OPERATOR)) {
            may.addAll(OPERATOR_MAY);
        }
        if (role.includes(Role.ADMIN)) {
            may.addAll(ADMIN_MAY);
        }
        return List.copyOf(may);
    }
}
