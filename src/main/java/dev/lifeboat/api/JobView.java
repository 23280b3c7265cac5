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
        @Schema(example = "563ffef3-1cf1-432b-8619-d7fd117a6e44") UUID id,
        @Schema(description = "backup, restore, drill, verify, prune, catalog_rebuild or notify", example = "backup") String kind,
        @Schema(description = "Target name, or null for jobs about no single target", example = "demo") String target,
        @Schema(enumeration = {"queued", "running", "succeeded", "failed", "cancelled"}, example = "succeeded") String status,
        @Schema(description = "Attempts started so far", example = "1") int attempt,
        @Schema(description = "Attempts allowed before the job fails", example = "3") int maxAttempts,
        @Schema(description = "The job's arguments (a backup has none; a drill names its backupId)", example = "{}") Map<String, Object> args,
        Instant createdAt,
        @Schema(description = "When the job may next run (queued jobs)") Instant runAt,
        @Schema(description = "When the latest attempt started") Instant startedAt,
        Instant finishedAt,
        @Schema(description = "Whether someone asked to cancel it") boolean cancelRequested,
        ProgressView progress,
        ErrorView error,
        @Schema(type = SchemaType.OBJECT, description = "What a succeeded job produced, e.g. backupId, sizeBytes, sha256",
                example = "{\"backupId\": \"41a6f125-02a1-4417-9a21-6735faca320f\", \"sizeBytes\": 93756, \"sha256\": "
                        + "\"06a2bd3010593cf8da0cae866b380db5bce9485f03576cf73e1c488b8ffd4401\", \"encrypted\": true, \"rows\": 100011, "
                        + "\"tables\": 4, \"warnings\": [], \"locations\": [\"local:demo/2026/12/03/41a6f125-02a1-4417-9a21-6735faca320f/"
                        + "dump.pgc.zst.age\"], \"millis\": {\"preflight\": 165, \"dump\": 162, \"commitAndReadBack\": 8, \"finish\": 70}}")
        Map<String, Object> result) {

    @Schema(name = "JobProgress")
    public record ProgressView(@Schema(example = "dumping") String phase,
                               @Schema(example = "734003200") Long bytesDone,
                               @Schema(description = "Estimated total, when known", example = "1610612736") Long bytesTotal,
                               @Schema(description = "The phase's throughput so far (bytes done since the phase began over the"
                                       + " time it has run); null in its first second or when it moves no bytes",
                                       example = "104857600") Long bytesPerSecond,
                               @Schema(description = "Seconds left at that pace for the rest of the estimated total; null"
                                       + " without a total, a pace, or once the estimate is passed", example = "8") Long etaSeconds) {
    }

    @Schema(name = "JobError")
    public record ErrorView(@Schema(example = "pg_dump: error: connection to server at \"127.0.0.1\", port 5432 failed: FATAL:  password"
            + " authentication failed for user \"lifeboat\"") String message) {
    }

    public static JobView of(Job j) {
        JobProgress p = JobProgress.fromMap(j.progress);
        return new JobView(j.id, j.kind, j.target, j.state, j.attempt, j.maxAttempts,
                j.args == null ? Map.of() : j.args, j.createdAt, j.runAt, j.startedAt, j.finishedAt,
                j.cancelRequestedAt != null,
                p == null ? null : new ProgressView(p.phase(), p.bytesDone(), p.bytesTotal(), p.bytesPerSecond(), p.etaSeconds()),
                j.error == null ? null : new ErrorView(j.error),
                j.result);
    }
}
