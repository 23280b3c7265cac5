package dev.lifeboat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.JobQueueException;
import jakarta.inject.Inject;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Turns every error into problem+json. Client mistakes get a 4xx that says what to fix; anything
 * unexpected gets a 500 with a reference to the log line, never a stack trace.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @Inject
    AllowedMethods allowedMethods;

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        return Problem.response(e.status(), e.getMessage(), path(uri)).build();
    }

    @ServerExceptionMapper
    public Response idempotency(IdempotencyConflictException e, UriInfo uri) {
        return Problem.response(422, e.getMessage(), path(uri)).build();
    }

    /** Lifeboat's own database is unreachable or shutting down: the request may succeed later. */
    @ServerExceptionMapper
    public Response queueUnavailable(JobQueueException e, UriInfo uri) {
        return databaseUnavailable(e) ? unavailable(e, uri) : unexpected(e, uri);
    }

    /** An SQL error of class 08 (connection exception) or 57P (shutdown) anywhere in the chain (Hibernate's included). */
    private static boolean databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static Response unavailable(Throwable e, UriInfo uri) {
        LOG.warnf("Lifeboat's database is unavailable on %s: %s", path(uri), e.getMessage());
        return Problem.response(503, "Lifeboat's own database is unavailable; try again shortly.", path(uri))
                .header("Retry-After", "5").build();
    }

    @ServerExceptionMapper
    public Response unrecognized(UnrecognizedPropertyException e, UriInfo uri) {
        return Problem.response(400, "Unknown field '" + e.getPropertyName() + "' in the request body."
                + (e.getKnownPropertyIds() == null ? "" : " Known fields: " + e.getKnownPropertyIds().stream()
                .map(Object::toString).sorted().collect(Collectors.joining(", ")) + "."), path(uri)).build();
    }

    @ServerExceptionMapper
    public Response invalidFormat(InvalidFormatException e, UriInfo uri) {
        return Problem.response(400, "Field '" + fieldPath(e) + "' has an invalid value: " + safe(e.getValue()) + ".", path(uri)).build();
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e, UriInfo uri) {
        String field = fieldPath(e);
        String detail = field.isEmpty()
                ? "The request body is not the expected JSON object."
                : "Field '" + field + "' has the wrong type.";
        return Problem.response(400, detail, path(uri)).build();
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e, UriInfo uri) {
        String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return Problem.response(400, "The request body is not valid JSON" + where + ".", path(uri)).build();
    }

    /**
     * An unknown path points to the dashboard and the API reference: as problem+json, or as a small page
     * with links when a browser asks for HTML (outside the API).
     */
    @ServerExceptionMapper
    public Response notFound(NotFoundException e, UriInfo uri, HttpHeaders headers) {
        String path = path(uri);
        boolean browser = !path.startsWith("/api/") && headers.getAcceptableMediaTypes().stream()
                .anyMatch(t -> !t.isWildcardType() && t.isCompatible(MediaType.TEXT_HTML_TYPE));
        if (browser) {
            return Response.status(404).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8")).entity(NOT_FOUND_PAGE).build();
        }
        return Problem.response(404, "No such resource: " + path + ". The dashboard is at /; the API lives under /api/v1"
                + " (reference: /q/swagger-ui, /q/openapi).", path).build();
    }

    private static final String NOT_FOUND_PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Not found · Lifeboat</title></head>
            <body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
            <h1>Nothing here</h1>
            <p>Lifeboat has no page at this address.</p>
            <ul><li><a href="/">The dashboard</a></li><li><a href="/q/swagger-ui">The API reference (Swagger UI)</a></li></ul>
            </body></html>
            """;

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e, UriInfo uri, Request request) {
        Set<String> allowed = allowedMethods.on(path(uri)); // the framework's exception carries none
        return Problem.response(405, request.getMethod() + " is not allowed on " + path(uri) + "; allowed: "
                        + String.join(", ", allowed) + ".", path(uri))
                .header(HttpHeaders.ALLOW, String.join(", ", allowed)).build();
    }

    @ServerExceptionMapper
    public Response notSupported(NotSupportedException e, UriInfo uri) {
        return Problem.response(415, "Send the request body as application/json.", path(uri)).build();
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e, UriInfo uri) {
        return Problem.response(406, "This resource answers with application/json.", path(uri)).build();
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        Response fromJson = jsonCause(e, uri);
        if (fromJson != null) {
            return fromJson;
        }
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri);
        }
        String detail = e.getMessage() == null || e.getMessage().startsWith("HTTP ") ? Problem.title(status) : e.getMessage();
        return Problem.response(status, detail, path(uri)).build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e, UriInfo uri) {
        // Bad input that reaches here as an exception from a JSON reader is still the client's fault.
        Response fromJson = jsonCause(e, uri);
        if (fromJson != null) {
            return fromJson;
        }
        if (databaseUnavailable(e)) {
            return unavailable(e, uri); // e.g. a catalog query (Hibernate) while the database is cut off
        }
        String ref = UUID.randomUUID().toString().substring(0, 8);
        LOG.errorf(e, "unexpected error %s on %s", ref, path(uri));
        return Problem.response(500, "Lifeboat hit an unexpected error (reference " + ref + " in its log).", path(uri)).build();
    }

    /** The problem for a JSON reading error wrapped in another exception, or null if there is none. */
    private Response jsonCause(Throwable e, UriInfo uri) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof UnrecognizedPropertyException u) {
                return unrecognized(u, uri);
            }
            if (t instanceof InvalidFormatException i) {
                return invalidFormat(i, uri);
            }
            if (t instanceof MismatchedInputException m) {
                return mismatched(m, uri);
            }
            if (t instanceof JsonProcessingException j) {
                return json(j, uri);
            }
        }
        return null;
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getRequestUri().getRawPath();
    }

    private static String fieldPath(JsonProcessingException e) {
        if (e instanceof MismatchedInputException m && m.getPath() != null) {
            return m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        return "";
    }

    private static String safe(Object v) {
        String s = String.valueOf(v);
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
