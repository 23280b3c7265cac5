package dev.lifeboat.api;

import dev.lifeboat.auth.Requires;
import dev.lifeboat.auth.Role;
import dev.lifeboat.backup.TargetCheck;
import dev.lifeboat.retention.PruneArgs;
import dev.lifeboat.retention.Retention;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Targets;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@Path("/api/v1/targets")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Targets", description = "The databases Lifeboat protects (from configuration)")
public class TargetResource {

    /** A target as the API shows it: never its password. */
    @Schema(name = "Target")
    public record TargetView(@Schema(example = "demo") String name, String host, int port,
                             @Schema(example = "lifeboat_demo") String database, String username,
                             List<String> storage, @Schema(enumeration = {"generic", "mastodon"}) String profile,
                             @Schema(description = "Whether a password or password file is configured") boolean passwordConfigured,
                             @Schema(description = "Traffic light, newest good backup, last drill, next scheduled runs, anomalies, pins") TargetHealth.View health) {
        static TargetView of(Target t, TargetHealth.View health) {
            return new TargetView(t.name(), t.host(), t.port(), t.database(), t.username(), t.storage(), t.profile().id(),
                    t.passwordConfigured(), health);
        }
    }

    @Schema(name = "TargetList")
    public record TargetList(List<TargetView> items) {
    }

    @Inject
    Targets targets;
    @Inject
    TargetCheck targetCheck;
    @Inject
    TargetHealth health;

    @Schema(name = "TargetCheck")
    public record CheckView(@Schema(description = "credentials, connection, pg_dump, encryption, storage:<name>") String name,
                            boolean ok, @Schema(description = "What was found, or what is wrong and how to fix it") String detail) {
    }

    @Schema(name = "TargetCheckReport")
    public record CheckReport(String target, @Schema(description = "Whether every check passed") boolean ok, List<CheckView> checks) {
    }

    @Schema(name = "RetentionDecision")
    public record RetentionDecisionView(UUID backupId, Instant createdAt,
                                        @Schema(enumeration = {"available", "damaged"}) String status, boolean pinned,
                                        @Schema(description = "Whether a prune now would keep it") boolean keep,
                                        @Schema(description = "The rules that keep it, or why it would be deleted") List<String> reasons) {
    }

    @Schema(name = "RetentionPreview")
    public record RetentionPreview(String target,
                                   @Schema(description = "The configured rules (keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly, minAge); absent ones are left out",
                                           example = "{\"keepLast\": 7, \"keepDaily\": 14, \"keepMonthly\": 6, \"minAge\": \"PT24H\"}") Map<String, Object> rules,
                                   int keep, int delete,
                                   @Schema(description = "Every backup of the target, newest first") List<RetentionDecisionView> backups) {
    }

    @Inject
    Retention retention;
    @Inject
    JobSubmission submission;

    @GET
    @Path("/{name}/retention")
    @Requires(Role.VIEWER)
    @Operation(summary = "Preview retention", description = "A dry run of a prune now: every backup of the target with keep or "
            + "delete and the rules that decided. Always kept: the newest available backup, the newest backup whose newest drill "
            + "passed, pinned backups and backups a queued or running restore, drill or verify uses.")
    @APIResponse(responseCode = "200", description = "The plan",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = RetentionPreview.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public RetentionPreview previewRetention(@PathParam("name") String name) {
        Target t = require(name);
        List<RetentionDecisionView> decisions = retention.plan(t.name()).stream()
                .map(d -> new RetentionDecisionView(d.backup().id, d.backup().createdAt, d.backup().status, d.backup().pinned, d.keep(), d.reasons()))
                .toList();
        int keep = (int) decisions.stream().filter(RetentionDecisionView::keep).count();
        return new RetentionPreview(t.name(), retention.rules(t.name()).describe(), keep, decisions.size() - keep, decisions);
    }

    @POST
    @Path("/{name}/prune")
    @Requires(Role.OPERATOR)
    @Operation(summary = "Prune a target's backups", description = "Queues a prune job: it deletes the backups the retention rules do "
            + "not keep (as GET /retention previews), objects before catalog rows. A prune also follows every successful backup of a "
            + "target with retention rules.")
    @APIResponse(responseCode = "202", description = "Queued (or, for a repeated Idempotency-Key, the existing job)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = JobView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public Response prune(@PathParam("name") String name,
                          @Parameter(description = "Makes retries safe: the same key returns the same job")
                          @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Target t = require(name);
        return submission.submit(new PruneArgs(), t.name(), idempotencyKey);
    }

    private Target require(String name) {
        return targets.find(name)
                .orElseThrow(() -> ApiException.notFound("target '" + Params.shorten(name) + "' is not configured. Known targets: " + targets.names() + "."));
    }

    @GET
    @Path("/{name}/check")
    @Requires(Role.OPERATOR)
    @Operation(summary = "Check a target", description = "Runs the backup pre-flight (operator): credentials, connection and "
            + "server version, the pg_dump that fits the server, encryption keys, and every storage of the target. Answers 200 with "
            + "each check's outcome, whether they pass or not. Requests at the same time share one run, and a report is reused for "
            + "5 seconds, so the target and the storages are not probed once per request.")
    @APIResponse(responseCode = "200", description = "The checks",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CheckReport.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public CheckReport checkTarget(@PathParam("name") String name) throws InterruptedException {
        Target t = require(name);
        TargetCheck.Report r = targetCheck.report(t);
        return new CheckReport(r.target(), r.ok(), r.checks().stream().map(c -> new CheckView(c.name(), c.ok(), c.detail())).toList());
    }

    @GET
    @Requires(Role.VIEWER)
    @Operation(summary = "List targets", description = "Every configured target with its health: green, amber or red and why, "
            + "the newest good backup and its age against the schedule, the last backup job and drill, the next scheduled backup "
            + "and drill, anomalies and pinned backups.")
    @APIResponse(responseCode = "200", description = "Every configured target",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TargetList.class)))
    public TargetList listTargets() {
        return new TargetList(targets.all().stream().map(t -> TargetView.of(t, health.of(t))).toList());
    }

    @GET
    @Path("/{name}")
    @Requires(Role.VIEWER)
    @Operation(summary = "Get a target")
    @APIResponse(responseCode = "200", description = "The target",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TargetView.class)))
    @APIResponse(responseCode = "404", ref = "NotFound")
    public TargetView getTarget(@PathParam("name") String name) {
        Target t = require(name);
        return TargetView.of(t, health.of(t));
    }
}
