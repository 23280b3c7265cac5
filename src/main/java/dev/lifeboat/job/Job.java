package dev.lifeboat.job;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One row of the {@code job} table. State transitions are single SQL statements in {@link JobQueue};
 * this entity is how rows are read. It never goes on the wire (see {@code api.JobView}).
 */
@Entity
@Table(name = "job")
public class Job extends PanacheEntityBase {
    @Id
    public UUID id;
    public String kind;
    public String target;
    public String state;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> args;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> result;
    public String error;
    public int attempt;
    @Column(name = "max_attempts")
    public int maxAttempts;
    @Column(name = "run_at")
    public Instant runAt;
    @Column(name = "locked_by")
    public String lockedBy;
    @Column(name = "lease_expires_at")
    public Instant leaseExpiresAt;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> progress;
    @Column(name = "cancel_requested_at")
    public Instant cancelRequestedAt;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;

    public JobState jobState() {
        return JobState.fromDb(state);
    }
}
