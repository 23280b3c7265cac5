package dev.lifeboat.backup;

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
    /** Anomalies against the previous backup of the target (see {@link Anomalies}). */
    @JdbcTypeCode(SqlTypes.JSON)
    public List<String> warnings;
}
