package dev.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobProgress;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A job as the API shows it. */
@Schema(name = "Job")
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobView(
        UUID id,
        @Schema(description = "backup, restore, drill, verify or prune", example = "backup") String kind,
        @Schema(description = "Target name, or null for jobs about no single target", example = "mastodon") String target,
        @Schema(enumeration = {"queued", "running", "succeeded", "failed", "cancelled"}) String status,
        @Schema(description = "Attempts started so far") int attempt,
        int maxAttempts,
        @Schema(description = "The job's arguments") Map<String, Object> args,
        Instant createdAt,
        @Schema(description = "When the job may next run (queued jobs)") Instant runAt,
        @Schema(description = "When the latest attempt started") Instant startedAt,
        Instant finishedAt,
        @Schema(description = "Whether someone asked to cancel it") boolean cancelRequested,
        ProgressView progress,
        ErrorView error,
        @Schema(type = SchemaType.OBJECT, description = "What a succeeded job produced, e.g. backupId, sizeBytes, sha256") Map<String, Object> result) {

    @Schema(name = "JobProgress")
    public record ProgressView(@Schema(example = "dumping") String phase, Long bytesDone,
                               @Schema(description = "Estimated total, when known") Long bytesTotal) {
    }

    @Schema(name = "JobError")
    public record ErrorView(String message) {
    }

    public static JobView of(Job j) {
        JobProgress p = JobProgress.fromMap(j.progress);
        return new JobView(j.id, j.kind, j.target, j.state, j.attempt, j.maxAttempts,
                j.args == null ? Map.of() : j.args, j.createdAt, j.runAt, j.startedAt, j.finishedAt,
                j.cancelRequestedAt != null,
                p == null ? null : new ProgressView(p.phase(), p.bytesDone(), p.bytesTotal()),
                j.error == null ? null : new ErrorView(j.error),
                j.result);
    }
}
