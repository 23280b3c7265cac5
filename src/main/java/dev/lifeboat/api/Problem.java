package dev.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** An RFC 9457 problem detail; every API error is one, served as {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(name = "Problem", description = "RFC 9457 problem details")
public record Problem(
        @Schema(description = "A URI reference identifying the problem type", example = "about:blank") String type,
        @Schema(description = "Short summary of the problem type", example = "Unprocessable Content") String title,
        @Schema(description = "HTTP status code", example = "422") int status,
        @Schema(description = "What went wrong, for a human, with a hint when there is one") String detail,
        @Schema(description = "The request path") String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String detail, String instance) {
        return new Problem("about:blank", title(status), status, detail, instance);
    }

    public static Response.ResponseBuilder response(Response.StatusType status, String detail, ContainerRequestContext request) {
        String path = request == null ? null : request.getUriInfo().getRequestUri().getRawPath();
        return response(status.getStatusCode(), detail, path);
    }

    public static Response.ResponseBuilder response(int status, String detail, String instance) {
        return Response.status(status).type(MEDIA_TYPE).entity(of(status, detail, instance));
    }

    static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> {
                Response.Status s = Response.Status.fromStatusCode(status);
                yield s == null ? "Error" : s.getReasonPhrase();
            }
        };
    }
}
