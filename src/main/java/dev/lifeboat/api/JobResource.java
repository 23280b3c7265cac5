package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobEvents;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobState;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Jobs", description = "The queue of backups, restores, drills, verifications and prunes")
public class JobResource {
    /** Long polls wait at most this long; clients poll again for longer jobs. */
    static final int MAX_WAIT_SECONDS = 600;

    @Inject
    JobQueue queue;
    @Inject
    JobEvents events;

    @GET
    @Requires(Role.VIEWER)
    @Operation(summary = "List jobs, newest first", description = "Cursor-paginated; filter by target, kind and state.")
    @APIResponse(responseCode = "200", description = "A page of jobs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobPage.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    public Page<JobView> listJobs(@QueryParam("target") String target,
                              @QueryParam("kind") String kind,
                              @Parameter(schema = @Schema(enumeration = {"queued", "running", "succeeded", "failed", "cancelled"}))
                              @QueryParam("state") String state,
                              @Parameter(description = "nextCursor of the previous page") @QueryParam("cursor") String cursor,
                              @Parameter(description = "Page size, 1 to 500 (default 50)", schema = @Schema(type = SchemaType.INTEGER))
                              @QueryParam("limit") String limitParam) {
        int limit = Params.intInRange("limit", limitParam, 50, 1, 500);
        JobState st = null;
        if (state != null && !state.isBlank()) {
            st = JobState.parse(state).orElseThrow(() -> ApiException.badRequest(
                    "state '" + Params.shorten(state) + "' is unknown. Hint: use queued, running, succeeded, failed or cancelled."));
        }
        Cursor c = cursor == null || cursor.isBlank() ? null : Cursor.decode(cursor);
        List<Job> rows = queue.list(blankToNull(target), blankToNull(kind), st, c == null ? null : c.createdAt(),
                c == null ? null : c.id(), limit + 1);
        List<JobView> items = new ArrayList<>();
        for (int i = 0; i < Math.min(limit, rows.size()); i++) {
            items.add(JobView.of(rows.get(i)));
        }
        String next = null;
        if (rows.size() > limit) {
            Job last = rows.get(limit - 1);
            next = new Cursor(last.createdAt, last.id).encode();
        }
        return new Page<>(items, next);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @GET
    @Path("/{id}")
    @Requires(Role.VIEWER)
    @Operation(summary = "Get a job", description = "With waitSeconds, waits (long poll) until the job is finished or the time "
            + "is up, whichever comes first, then answers with the job as it is. Waits are capped at " + MAX_WAIT_SECONDS + " s.")
    @APIResponse(responseCode = "200", description = "The job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "NotFound")
    @Blocking
    public CompletionStage<JobView> getJob(@PathParam("id") String idParam,
                       @Parameter(description = "Seconds to wait for the job to finish (0 to " + MAX_WAIT_SECONDS + ")",
                               schema = @Schema(type = SchemaType.INTEGER))
                       @QueryParam("waitSeconds") String waitParam) {
        UUID id = Params.uuid("job id", idParam);
        int wait = Params.intInRange("waitSeconds", waitParam, 0, 0, 86_400);
        wait = Math.min(wait, MAX_WAIT_SECONDS);
        Job job = queue.find(id).orElseThrow(() -> ApiException.notFound("job " + id + " does not exist (finished jobs are deleted after lifeboat.queue.retention)."));
        if (job.jobState().terminal() || wait == 0) {
            return CompletableFuture.completedFuture(JobView.of(job));
        }
        CompletableFuture<JobView> answer = new CompletableFuture<>();
        awaitFinish(id, System.nanoTime() + TimeUnit.SECONDS.toNanos(wait), job, answer);
        return answer;
    }

    /**
     * A long poll holds neither a worker thread nor a database connection while it waits: it waits on
     * the job's events (a finished NOTIFY), re-reading the job then, or every {@link #RECHECK} in case a
     * notification was lost, until the job is finished or the time is up.
     */
    private void awaitFinish(UUID id, long deadlineNanos, Job last, CompletableFuture<JobView> answer) {
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            answer.complete(JobView.of(last));
            return;
        }
        CompletableFuture<Void> changed = events.whenChanged(id);
        CompletableFuture<Void> tick = new CompletableFuture<Void>()
                .completeOnTimeout(null, Math.min(RECHECK.toNanos(), remaining), TimeUnit.NANOSECONDS);
        changed.applyToEither(tick, x -> x).whenCompleteAsync((x, e) -> {
            events.forget(id, changed);
            try {
                Job job = queue.find(id).orElse(last);
                if (job.jobState().terminal()) {
                    answer.complete(JobView.of(job));
                } else {
                    awaitFinish(id, deadlineNanos, job, answer);
                }
            } catch (RuntimeException ex) {
                answer.completeExceptionally(ex);
            }
        }, rechecks);
    }

    /** How often a waiting long poll re-reads its job when no notification came. */
    static final Duration RECHECK = Duration.ofSeconds(2);

    /** Re-reads of waiting long polls: a couple of threads, whatever the number of polls. */
    private final ExecutorService rechecks = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "lifeboat-long-poll");
        t.setDaemon(true);
        return t;
    });

    @POST
    @Path("/{id}/cancel")
    @Requires(Role.OPERATOR)
    @Operation(summary = "Cancel a job", description = "A queued job is cancelled at once (200). A running job is told to stop (202): "
            + "its worker kills child processes, cleans up and records it as cancelled.")
    @APIResponse(responseCode = "200", description = "Cancelled",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "202", description = "Cancel requested; poll the job",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    @APIResponse(responseCode = "409", ref = "Conflict")
    public Response cancelJob(@PathParam("id") String idParam) {
        UUID id = Params.uuid("job id", idParam);
        JobQueue.CancelResult r = queue.requestCancel(id);
        if (r instanceof JobQueue.CancelResult.Cancelled c) {
            return Response.ok(JobView.of(c.job())).build();
        }
        if (r instanceof JobQueue.CancelResult.Requested c) {
            return Response.accepted(JobView.of(c.job())).build();
        }
        if (r instanceof JobQueue.CancelResult.AlreadyFinished f) {
            throw ApiException.conflict("job " + id + " already " + f.job().state + "; there is nothing to cancel.");
        }
        throw ApiException.notFound("job " + id + " does not exist.");
    }
}
