package dev.lifeboat.api;

import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupCatalog;
import dev.lifeboat.job.IdempotencyConflictException;
import dev.lifeboat.job.IdempotencyKeys;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

import java.net.URI;
import java.util.UUID;
import java.util.regex.Pattern;

/** Shared by every endpoint that starts work: target lookup, Idempotency-Key, 202 + Location. */
@ApplicationScoped
public class JobSubmission {
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");

    @Inject
    JobQueue queue;
    @Inject
    Targets targets;
    @Inject
    BackupCatalog catalog;
    @Inject
    CurrentCaller caller;

    public Target requireTarget(String name) {
        if (name == null || name.isBlank()) {
            throw ApiException.unprocessable("target is required. Known targets: " + targets.names() + ".");
        }
        return targets.find(name).orElseThrow(() -> ApiException.unprocessable(
                "target '" + Params.shorten(name) + "' is not configured. Known targets: " + targets.names()
                        + ". Hint: targets are declared in lifeboat.targets.<name>.*"));
    }

    /** The catalogued backup a request names (400 for a bad id, 404 when unknown, 422 when it is another target's). */
    public Backup requireBackup(String backupId, String target) {
        UUID id = Params.uuid("backupId", backupId);
        Backup b = catalog.find(id).orElseThrow(() -> ApiException.notFound("backup " + id + " is not in the catalog."));
        if (target != null && !target.equals(b.target)) {
            throw ApiException.unprocessable("backup " + id + " belongs to target " + b.target + ", not " + Params.shorten(target) + ".");
        }
        return b;
    }

    /**
     * Enqueues (or finds, for a repeated Idempotency-Key of the same caller) and answers 202 with
     * Location and the job. A caller's keys are its own: stored under its token's name, so a key never
     * finds (or, in a conflict, names) another caller's job, and never one of Lifeboat's own.
     */
    public Response submit(JobArgs args, String target, String idempotencyKey) {
        return submit(args, target, idempotencyKey, () -> { });
    }

    /**
     * As {@link #submit(JobArgs, String, String)}, running {@code beforeANewJob} (which throws an
     * {@link ApiException} to refuse) only when the request would create a job: a replay of a key that
     * was used already answers with its job, whatever the check would say now (e.g. that the database a
     * finished restore created exists).
     */
    public Response submit(JobArgs args, String target, String idempotencyKey, Runnable beforeANewJob) {
        String stored = null;
        if (idempotencyKey != null) {
            if (!KEY.matcher(idempotencyKey).matches()) {
                throw ApiException.badRequest("Idempotency-Key must be 1 to 255 visible ASCII characters.");
            }
            for (String reserved : IdempotencyKeys.RESERVED) {
                if (idempotencyKey.startsWith(reserved)) {
                    throw ApiException.unprocessable("Idempotency-Key may not start with '" + reserved + "': Lifeboat uses that prefix"
                            + " for its own jobs. Hint: use another key, e.g. a date or a UUID.");
                }
            }
            stored = IdempotencyKeys.ofCaller(caller.get().tokenName(), idempotencyKey);
            if (stored.length() > 255) {
                throw ApiException.badRequest("Idempotency-Key must be at most " + (255 - (stored.length() - idempotencyKey.length()))
                        + " characters with this token.");
            }
        }
        if (stored == null || queue.findByIdempotencyKey(stored).isEmpty()) {
            beforeANewJob.run();
        }
        JobQueue.Enqueued e;
        try {
            e = queue.enqueue(new NewJob(args, target, stored));
        } catch (IdempotencyConflictException conflict) {
            // The job found is this caller's own (keys are per token): say so without echoing the stored key.
            throw ApiException.unprocessable("Idempotency-Key '" + idempotencyKey + "' was already used by this token for a different"
                    + " request. Hint: use a new key for a new request.");
        }
        Response.ResponseBuilder r = Response.accepted(JobView.of(e.job()))
                .location(URI.create("/api/v1/jobs/" + e.job().id));
        if (!e.created()) {
            r.header("Idempotent-Replayed", "true");
        }
        return r.build();
    }
}
