package dev.lifeboat.api;

import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/** Shared by every endpoint that starts work: target lookup, Idempotency-Key, 202 + Location. */
@ApplicationScoped
public class JobSubmission {
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    @Inject
    JobQueue queue;
    @Inject
    Targets targets;

    public Target requireTarget(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.unprocessable("target is required. Known targets: " + targets.names() + ".");
        }
        return targets.find(name).orElseThrow(() -> ApiException.unprocessable(
                "target '" + Params.shorten(name) + "' is not configured. Known targets: " + targets.names()
                        + ". Hint: targets are declared in lifeboat.targets.<name>.*"));
    }

    /** Enqueues (or finds, for a repeated Idempotency-Key) and answers 202 with Location and the job. */
    public Response submit(String kind, String target, Map<String, Object> args, String idempotencyKey) {
        if (idempotencyKey != null && !KEY.matcher(idempotencyKey).matches()) {
            throw ApiException.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.");
        }
        JobQueue.Enqueued e = queue.enqueue(new NewJob(kind, target, args, idempotencyKey));
        Response.ResponseBuilder r = Response.accepted(JobView.of(e.job()))
                .location(URI.create("/api/v1/jobs/" + e.job().id));
        if (!e.created()) {
            r.header("Idempotent-Replayed", "true");
        }
        return r.build();
    }
}
