package dev.lifeboat.backup;

import dev.lifeboat.target.Compression;
import dev.lifeboat.target.DumpFormat;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One row of the {@code backup} catalog: a backup whose every copy was stored and checked and whose
 * manifest was written. Rows are only ever inserted complete (see V2__backup_catalog.sql).
 */
@Entity
@Table(name = "backup")
public class Backup extends PanacheEntityBase {
    public static final String AVAILABLE = "available";
    public static final String DAMAGED = "damaged";

    @Id
    public UUID id;
    public String target;
    public String database;
    public String status;
    public String format;
    /** {@code zstd}, {@code gzip} (pg_dump's own; every backup made before Lifeboat compressed) or {@code none}. */
    public String compression;
    /** Size of the archive as pg_dump wrote it, before compression and encryption; null when unknown. */
    @Column(name = "archive_bytes")
    public Long archiveBytes;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Column(name = "size_bytes")
    public long sizeBytes;
    public String sha256;
    public boolean encrypted;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> recipients;
    @Column(name = "server_version")
    public String serverVersion;
    @Column(name = "pg_dump_version")
    public String pgDumpVersion;
    @JdbcTypeCode(SqlTypes.JSON)
    public List<BackupLocation> locations;
    @Column(name = "row_counts")
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Long> rowCounts;
    public String prefix;
    public boolean globals;
    @Column(name = "job_id")
    public UUID jobId;
    @Column(name = "verified_at")
    public Instant verifiedAt;
    public String error;
    @Column(name = "last_drill_at")
    public Instant lastDrillAt;
    @Column(name = "last_drill_passed")
    public Boolean lastDrillPassed;
    @Column(name = "last_drill_restore_seconds")
    public Double lastDrillRestoreSeconds;
    @Column(name = "drill_count")
    public int drillCount;
    /** Pinned backups are never deleted by retention. */
    public boolean pinned;
    /** SHA-256 of the stored roles object, as the backup wrote it (null without globals). */
    @Column(name = "globals_sha256")
    public String globalsSha256;
    /** Why it is pinned (automatically after an anomaly, or by an admin); null when not pinned. */
    @Column(name = "pinned_reason")
    public String pinnedReason;
    /** Anomalies against the previous backup of the target (see {@link Anomalies}). */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> warnings;

    /**
     * The catalog row a complete backup's manifest describes, {@code available}, with these copies
     * (the list stays mutable, for a rebuild that finds more copies).
     */
    public static Backup of(Manifest manifest, String prefix, List<BackupLocation> locations) {
        Backup b = new Backup();
        b.id = manifest.backupId();
        b.target = manifest.target();
        b.database = manifest.database();
        b.status = AVAILABLE;
        b.format = manifest.format();
        b.compression = Compression.Algorithm.of(manifest.compression()).id();
        b.archiveBytes = manifest.archiveBytes();
        b.createdAt = manifest.createdAt();
        b.finishedAt = manifest.finishedAt();
        b.sizeBytes = manifest.dump().sizeBytes();
        b.sha256 = manifest.dump().sha256();
        b.encrypted = manifest.encryption() != null;
        b.recipients = manifest.encryption() == null ? List.of() : manifest.encryption().recipients();
        b.serverVersion = manifest.serverVersion();
        b.pgDumpVersion = manifest.pgDumpVersion();
        b.locations = locations;
        b.rowCounts = manifest.rowCounts();
        b.prefix = prefix;
        b.globals = manifest.globals() != null;
        b.globalsSha256 = manifest.globals() == null ? null : manifest.globals().sha256();
        b.warnings = manifest.warnings() == null ? List.of() : manifest.warnings();
        return b;
    }

    /** The archive's size as pg_restore reads it (decompressed): what a spool needs; the stored size when unknown. */
    public long archiveSize() {
        return archiveBytes != null ? archiveBytes : sizeBytes;
    }

    /** How the stored dump is compressed. */
    public Compression.Algorithm compressionAlgorithm() {
        return Compression.Algorithm.of(compression);
    }

    /** The pg_dump format of the stored dump. */
    public DumpFormat dumpFormat() {
        return DumpFormat.of(format);
    }
}
