package dev.lifeboat.api;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/** OpenAPI document metadata: bearer auth (Swagger UI's Authorize button) and the shared error responses. */
@OpenAPIDefinition(
        info = @Info(title = "Lifeboat API", version = "1",
                description = "Tested pg_dump backups, restores and restore drills for self-hosted Fediverse servers. "
                        + "Every error is an RFC 9457 application/problem+json document.",
                license = @License(name = "Apache-2.0")),
        security = @SecurityRequirement(name = "bearer"),
        components = @Components(
                securitySchemes = @SecurityScheme(securitySchemeName = "bearer", type = SecuritySchemeType.HTTP,
                        scheme = "bearer", description = "An API token: one of lifeboat.auth.tokens.* (its SHA-256 hash is configured,"
                                + " the token itself is what you paste here). Started with scripts/run-local.sh, Lifeboat prints the local"
                                + " admin token at start-up and keeps it in data/dev/admin-token (cat data/dev/admin-token)."),
                responses = {
                        @APIResponse(name = "BadRequest", responseCode = "400", description = "The request is malformed",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "BadRequest", value = "{\"type\": \"about:blank\", \"title\": \"Bad Request\", \"status\": 400, "
                                                + "\"detail\": \"The request body is not valid JSON (line 1, column 12).\", \"instance\": \"/api/v1/backups\"}"))),
                        @APIResponse(name = "Unauthorized", responseCode = "401", description = "No valid bearer token",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "Unauthorized", value = "{\"type\": \"about:blank\", \"title\": \"Unauthorized\", \"status\": 401, "
                                                + "\"detail\": \"This API needs a bearer token: send 'Authorization: Bearer <token>'.\", \"instance\": \"/api/v1/backups\"}"))),
                        @APIResponse(name = "Forbidden", responseCode = "403", description = "The token's role is too low",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "Forbidden", value = "{\"type\": \"about:blank\", \"title\": \"Forbidden\", \"status\": 403, "
                                                + "\"detail\": \"This needs the operator role; token 'grafana' has the viewer role.\", \"instance\": \"/api/v1/backups\"}"))),
                        @APIResponse(name = "NotFound", responseCode = "404", description = "No such resource",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "NotFound", value = "{\"type\": \"about:blank\", \"title\": \"Not Found\", \"status\": 404, "
                                                + "\"detail\": \"backup 0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70 is not in the catalog.\", \"instance\": \"/api/v1/backups/0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70\"}"))),
                        @APIResponse(name = "Conflict", responseCode = "409", description = "The resource's state forbids this",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "Conflict", value = "{\"type\": \"about:blank\", \"title\": \"Conflict\", \"status\": 409, "
                                                + "\"detail\": \"backup 0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70 is pinned (by an admin (token ops)). Hint: POST /api/v1/backups/0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70/unpin first, or DELETE with force=true.\", \"instance\": \"/api/v1/backups/0193a4c2-7f1e-7b3a-9c4d-2e8f6a1b5c70\"}"))),
                        @APIResponse(name = "Unprocessable", responseCode = "422", description = "The request names something that does not exist or conflicts",
                                content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                                        examples = @ExampleObject(name = "Unprocessable", value = "{\"type\": \"about:blank\", \"title\": \"Unprocessable Content\", \"status\": 422, "
                                                + "\"detail\": \"target 'mastodon' is not configured. Known targets: [demo]. Hint: targets are declared in lifeboat.targets.<name>.*\", \"instance\": \"/api/v1/backups\"}")))
                }))
public class LifeboatApi extends Application {
}
