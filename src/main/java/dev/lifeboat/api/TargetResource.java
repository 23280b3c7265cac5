package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.List;

@Path("/api/v1/targets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Targets", description = "The databases Lifeboat protects (from configuration)")
public class TargetResource {

    /** A target as the API shows it: never its password. */
    @Schema(name = "Target")
    public record TargetView(@Schema(example = "mastodon") String name, String host, int port,
                             @Schema(example = "mastodon_production") String database, String username,
                             List<String> storage, @Schema(enumeration = {"generic", "mastodon"}) String profile,
                             @Schema(description = "Whether a password or password file is configured") boolean passwordConfigured) {
        static TargetView of(Target t) {
            return new TargetView(t.name(), t.host(), t.port(), t.database(), t.username(), t.storage(), t.profile(),
                    t.passwordConfigured());
        }
    }

    @Schema(name = "TargetList")
    public record TargetList(List<TargetView> items) {
    }

    @Inject
    Targets targets;

    @GET
    @Requires(Role.VIEWER)
    @Operation(summary = "List targets")
    @APIResponse(responseCode = "200", description = "Every configured target",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TargetList.class)))
    public TargetList listTargets() {
        return new TargetList(targets.all().stream().map(TargetView::of).toList());
    }

    @GET
    @Path("/{name}")
    @Requires(Role.VIEWER)
    @Operation(summary = "Get a target")
    @APIResponse(responseCode = "200", description = "The target",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public TargetView getTarget(@PathParam("name") String name) {
        return targets.find(name).map(TargetView::of)
                .orElseThrow(() -> ApiException.notFound("target '" + Params.shorten(name) + "' is not configured. Known targets: " + targets.names() + "."));
    }
}
