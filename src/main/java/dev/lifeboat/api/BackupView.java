package dev.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupLocation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A catalog entry as the API shows it. */
@Schema(name = "Backup")
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BackupView(
        UUID id,
        @Schema(example = "demo") String target,
        @Schema(example = "lifeboat_demo") String database,
        @Schema(description = "The snapshot time: the moment of the database this backup holds") Instant createdAt,
        @Schema(description = "When the backup was complete") Instant finishedAt,
        @Schema(enumeration = {"custom", "directory"}) String format,
        @Schema(description = "Size of the stored dump object (after encryption)") long sizeBytes,
        @Schema(description = "SHA-256 (hex) of the stored dump object") String sha256,
        boolean encrypted,
        @Schema(description = "age recipients (public keys) that can decrypt it") List<String> recipients,
        @Schema(example = "15.18 (Debian 15.18-0+deb12u1)") String serverVersion,
        @Schema(example = "15.18") String pgDumpVersion,
        @Schema(description = "Whether roles (pg_dumpall --globals-only) are stored beside the dump") boolean globals,
        List<LocationView> locations,
        @Schema(description = "Exact row count per table, in the dump's snapshot",
                example = "{\"public.pgbench_accounts\": 100000, \"public.pgbench_branches\": 1, \"public.pgbench_history\": 0}")
        Map<String, Long> rowCounts,
        @Schema(description = "available, or damaged when a verify found a copy missing or different", enumeration = {"available", "damaged"}) String status,
        @Schema(description = "When every copy was last read back and matched") Instant verifiedAt,
        @Schema(description = "What is wrong, for a damaged backup") String error,
        @Schema(description = "The job that made it") UUID jobId,
        @Schema(description = "Drill history: the newest drill of this backup, or null") DrillView lastDrill,
        @Schema(description = "How many drills this backup had") int drillCount,
        @Schema(description = "Pinned backups are never deleted by retention") boolean pinned,
        @Schema(description = "Why it is pinned, e.g. 'automatically: the newest backup before …, which shows an anomaly: …' or 'by an admin (token …)'; null when not pinned") String pinnedReason,
        @Schema(description = "Anomalies against the previous backup of the target (a table lost rows, the dump shrank); empty when none") List<String> warnings,
        @Schema(description = "How the dump object is compressed: zstd (by Lifeboat, of an uncompressed archive: zstd -d before pg_restore), gzip (pg_dump's own; every backup made before zstd) or none",
                enumeration = {"zstd", "gzip", "none"}) String compression,
        @Schema(description = "Size of the archive as pg_dump wrote it, before compression and encryption (what pg_restore reads); null when unknown") Long archiveBytes) {

    @Schema(name = "BackupDrill")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record DrillView(Instant at, boolean passed, @Schema(description = "Restore time (RTO), when the restore ran") Double restoreSeconds) {
    }

    @Schema(name = "BackupLocation")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LocationView(@Schema(description = "Storage name", example = "s3") String storage,
                               @Schema(description = "Key of the dump object in that storage", example = "demo/2026/12/03/41a6f125-02a1-4417-9a21-6735faca320f/dump.pgc.zst.age") String key,
                               @Schema(description = "Key of its manifest.json") String manifestKey,
                               long sizeBytes, String sha256, Instant verifiedAt,
                               @Schema(description = "What the last verify found wrong with this copy, or null") String problem) {
        static LocationView of(BackupLocation l) {
            return new LocationView(l.storage(), l.key(), l.manifestKey(), l.sizeBytes(), l.sha256(), l.verifiedAt(), l.problem());
        }
    }

    static BackupView of(Backup b) {
        return new BackupView(b.id, b.target, b.database, b.createdAt, b.finishedAt, b.format, b.sizeBytes, b.sha256,
                b.encrypted, b.recipients, b.serverVersion, b.pgDumpVersion, b.globals,
                b.locations.stream().map(LocationView::of).toList(), b.rowCounts, b.status, b.verifiedAt, b.error, b.jobId,
                b.lastDrillAt == null ? null : new DrillView(b.lastDrillAt, Boolean.TRUE.equals(b.lastDrillPassed), b.lastDrillRestoreSeconds),
                b.drillCount, b.pinned, b.pinnedReason, b.warnings == null ? List.of() : b.warnings, b.compression, b.archiveBytes);
    }
}
