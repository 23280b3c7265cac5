package dev.lifeboat.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lifeboat.config.LifeboatConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The only code that reads or writes the {@code job} table (and its {@code job_follow_up} records).
 * Every state transition is one SQL statement, with its NOTIFY, on the Agroal pool over plain JDBC: a
 * single statement in autocommit mode is exactly as atomic as a transaction, and it skips an ORM's
 * session and bookkeeping, which cost more CPU than the SQL on the worker's hot path (enqueue, claim,
 * complete, heartbeat, progress). Rows are mapped in one place ({@link #toJob}). Job arguments and
 * results are records, (de)serialised here to and from the row's JSON.
 *
 * <p>"Now" comes from the injected {@link Clock} so tests can move time; transitions out of
 * {@code running} only apply while the caller still holds the lease ({@code locked_by} matches), so a
 * worker whose job was rescued can never overwrite the new run.
 */
@ApplicationScoped
public class JobQueue {
    private static final Logger LOG = Logger.getLogger(JobQueue.class);
    /** NOTIFY channel; payload lines {@code "<event> <job id> <kind> [target]"}, see {@link JobEvents}. */
    public static final String CHANNEL = "lifeboat_job";
    private static final String TERMINAL = "('succeeded', 'failed', 'cancelled')";

    @Inject
    AgroalDataSource ds;
    @Inject
    LifeboatConfig config;
    @Inject
    Clock clock;

    /**
     * Reads and writes job JSON. Lenient on reading: a row written by a newer version (an added field)
     * still loads. Absent fields of a record come back null, so records treat null as "not given".
     */
    private ObjectMapper json;

    @Inject
    void jsonFrom(ObjectMapper appMapper) {
        json = appMapper.copy()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    /** The current time at the database's precision (microseconds), so cursors compare exactly. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    public record Enqueued(Job job, boolean created) {
    }

    // ---- arguments and results ------------------------------------------------------------------------

    /** The job's arguments as its kind's record. */
    public <A extends JobArgs> A args(Job job, Class<A> type) {
        return read(job.args, type, "arguments", job);
    }

    /** The result of a succeeded job as its kind's record; empty when it has none (not succeeded). */
    public <R> Optional<R> result(Job job, Class<R> type) {
        return job.result == null ? Optional.empty() : Optional.of(read(job.result, type, "result", job));
    }

    private <T> T read(Map<String, Object> value, Class<T> type, String what, Job job) {
        try {
            return json.convertValue(value, type);
        } catch (IllegalArgumentException e) {
            throw new PermanentJobException("the " + what + " of job " + job.id + " (" + job.kind + ") do not fit "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    // ---- enqueue, claim, finish -----------------------------------------------------------------------

    /**
     * Inserts a queued job, or returns the existing one when the idempotency key was used before for
     * the same request. Throws {@link IdempotencyConflictException} when the key was used for another.
     */
    public Enqueued enqueue(NewJob newJob) {
        Instant now = now();
        String argsJson = toJson(newJob.args());
        // One statement inserts and notifies (no second round trip); ON CONFLICT waits for a concurrent
        // insert of the same key to commit, so the SELECT below always finds the earlier job.
        try (Connection c = ds.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH ins AS (
                        INSERT INTO job (id, kind, target, args, max_attempts, run_at, idempotency_key, created_at)
                        VALUES (?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?)
                        ON CONFLICT (idempotency_key) DO NOTHING
                        RETURNING *)
                    SELECT ins.*, pg_notify(?, 'queued ' || ins.id || ' ' || ins.kind || ' ' || coalesce(ins.target, '')) FROM ins""")) {
                ps.setObject(1, UUID.randomUUID());
                ps.setString(2, newJob.kind());
                ps.setString(3, newJob.target());
                ps.setString(4, argsJson);
                ps.setInt(5, config.queue().maxAttempts());
                ps.setObject(6, ts(now));
                ps.setString(7, newJob.idempotencyKey());
                ps.setObject(8, ts(now));
                ps.setString(9, CHANNEL);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new Enqueued(toJob(rs), true);
                    }
                }
            }
            Job existing = selectOne(c, "SELECT * FROM job WHERE idempotency_key = ?", newJob.idempotencyKey())
                    // Only possible if the earlier job was deleted between the two statements.
                    .orElseThrow(() -> new IllegalStateException("job with Idempotency-Key vanished; retry the request"));
            if (!Objects.equals(existing.kind, newJob.kind()) || !Objects.equals(existing.target, newJob.target())
                    || !sameJson(existing.args, argsJson)) {
                throw new IdempotencyConflictException("Idempotency-Key '" + newJob.idempotencyKey()
                        + "' was already used for a different request (" + existing.kind
                        + (existing.target == null ? "" : " of target " + existing.target)
                        + ", job " + existing.id + "). Hint: use a new key for a new request.");
            }
            return new Enqueued(existing, false);
        } catch (SQLException e) {
            throw new JobQueueException("could not enqueue the job", e);
        }
    }

    /**
     * Claims up to {@code limit} due jobs of the given kinds for {@code workerId}, in one statement:
     * rows are locked with SKIP LOCKED so concurrent replicas never wait for or take the same job,
     * targets that already have a running job are skipped, and at most one job per target is taken.
     * If another replica starts a job of the same target at the same instant, the unique index
     * {@code job_one_running_per_target} rejects one of the two claims: we return nothing and the
     * caller simply claims again.
     */
    public List<Job> claim(String workerId, Collection<String> kinds, int limit, Duration lease) {
        if (limit <= 0 || kinds.isEmpty()) {
            return List.of();
        }
        Instant now = now();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH locked AS (
                    SELECT id, target, run_at, created_at FROM job j
                    WHERE state = 'queued' AND run_at <= ? AND kind = ANY (?)
                      AND (target IS NULL OR NOT EXISTS (
                            SELECT 1 FROM job r WHERE r.target = j.target AND r.state = 'running'))
                    ORDER BY run_at, created_at
                    LIMIT ?
                    FOR UPDATE SKIP LOCKED
                ), picked AS (
                    SELECT DISTINCT ON (coalesce(target, id::text)) id FROM locked
                    ORDER BY coalesce(target, id::text), run_at, created_at
                )
                UPDATE job SET state = 'running', attempt = attempt + 1, locked_by = ?,
                               lease_expires_at = ?, started_at = ?
                WHERE id IN (SELECT id FROM picked)
                RETURNING *""")) {
            ps.setObject(1, ts(now));
            ps.setArray(2, c.createArrayOf("text", kinds.toArray()));
            ps.setInt(3, limit);
            ps.setString(4, workerId);
            ps.setObject(5, ts(now.plus(lease)));
            ps.setObject(6, ts(now));
            return list(ps);
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                LOG.debugf("claim raced another replica for a target; claiming again");
                return List.of();
            }
            throw new JobQueueException("could not claim jobs", e);
        }
    }

    /** A succeeded job's result (a record, or null), to be recorded by {@link #completeAll}. */
    public record Completion(UUID id, Object result) {
    }

    /** Largest NOTIFY payload we send; PostgreSQL's limit is 8000 bytes. */
    private static final int MAX_PAYLOAD = 7900;

    /**
     * Records the success of several jobs of this worker in one transaction: one UPDATE for all of
     * them and one NOTIFY per ~60 jobs (a payload holds one {@code "finished <id> <kind> <target>"} line
     * per job). NOTIFY-ing commits are serialised by PostgreSQL, so one per batch instead of one per job
     * is what lets completions scale. Returns the ids this worker still held; the others were rescued
     * by another replica after our lease expired and are left alone.
     */
    public Set<UUID> completeAll(String workerId, List<Completion> completions) {
        if (completions.isEmpty()) {
            return Set.of();
        }
        Instant now = now();
        UUID[] ids = new UUID[completions.size()];
        String[] results = new String[completions.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = completions.get(i).id();
            Object r = completions.get(i).result();
            results[i] = toJson(r == null ? Map.of() : r);
        }
        try (Connection c = ds.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Set<UUID> held = new HashSet<>();
                List<String> payloads = new ArrayList<>();
                StringBuilder payload = new StringBuilder();
                try (PreparedStatement ps = c.prepareStatement("""
                        UPDATE job SET state = 'succeeded', result = CAST(i.result AS jsonb), finished_at = ?,
                                       locked_by = NULL, lease_expires_at = NULL
                        FROM unnest(CAST(? AS uuid[]), CAST(? AS text[])) AS i(id, result)
                        WHERE job.id = i.id AND job.locked_by = ? AND job.state = 'running'
                        RETURNING job.id, job.kind, job.target""")) {
                    ps.setObject(1, ts(now));
                    ps.setArray(2, c.createArrayOf("uuid", ids));
                    ps.setArray(3, c.createArrayOf("text", results));
                    ps.setString(4, workerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            UUID id = rs.getObject(1, UUID.class);
                            held.add(id);
                            String line = JobEvents.Event.line(JobEvents.Type.FINISHED, id, rs.getString(2), rs.getString(3));
                            if (payload.length() + line.length() + 1 > MAX_PAYLOAD) {
                                payloads.add(payload.toString());
                                payload.setLength(0);
                            }
                            payload.append(payload.isEmpty() ? "" : "\n").append(line);
                        }
                    }
                }
                if (!payload.isEmpty()) {
                    payloads.add(payload.toString());
                }
                if (!payloads.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_notify(?, p)) FROM unnest(CAST(? AS text[])) p")) {
                        ps.setString(1, CHANNEL);
                        ps.setArray(2, c.createArrayOf("text", payloads.toArray()));
                        ps.executeQuery().close();
                    }
                }
                c.commit();
                return held;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not record " + ids.length + " completed job(s)", e);
        }
    }

    /** Records success. Returns false if this worker no longer holds the job (it was rescued). */
    public boolean complete(UUID id, String workerId, Object result) {
        return completeAll(workerId, List.of(new Completion(id, result))).contains(id);
    }

    /** Records a failed attempt and queues the next one at {@code runAt}. */
    public boolean retry(UUID id, String workerId, String error, Instant runAt) {
        return finishRunning(id, workerId, "state = 'queued', error = ?, run_at = ?", error, ts(runAt));
    }

    /** Records a permanent failure (or the last attempt's failure). */
    public boolean fail(UUID id, String workerId, String error) {
        return finishRunning(id, workerId, "state = 'failed', error = ?, finished_at = ?", error, ts(now()));
    }

    /** Records that a running job stopped because it was cancelled. */
    public boolean cancelled(UUID id, String workerId) {
        return finishRunning(id, workerId, "state = 'cancelled', error = 'cancelled on request', finished_at = ?", ts(now()));
    }

    /** Puts a job back in the queue without spending an attempt (this replica is shutting down). */
    public boolean release(UUID id, String workerId) {
        return finishRunning(id, workerId, "state = 'queued', run_at = ?, attempt = attempt - 1", ts(now()));
    }

    /** One transition out of {@code running} of a job this worker holds, with its NOTIFY, in one statement. */
    private boolean finishRunning(UUID id, String workerId, String set, Object... setParams) {
        String sql = """
                WITH done AS (
                    UPDATE job SET %s, locked_by = NULL, lease_expires_at = NULL
                    WHERE id = ? AND locked_by = ? AND state = 'running'
                    RETURNING id, state, kind, target)
                SELECT count(pg_notify(?, (CASE WHEN state = 'queued' THEN 'released ' ELSE 'finished ' END)
                             || id || ' ' || kind || ' ' || coalesce(target, ''))) FROM done""".formatted(set);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (Object p : setParams) {
                ps.setObject(i++, p);
            }
            ps.setObject(i++, id);
            ps.setString(i++, workerId);
            ps.setString(i, CHANNEL);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 1;
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not record the end of job " + id, e);
        }
    }

    /** Whether {@code workerId} holds the job's lease now: running, locked by it, lease not expired, no cancel asked. */
    public boolean holdsLease(UUID id, String workerId) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT 1 FROM job WHERE id = ? AND locked_by = ? AND state = 'running' AND lease_expires_at > ?
                  AND cancel_requested_at IS NULL""")) {
            ps.setObject(1, id);
            ps.setString(2, workerId);
            ps.setObject(3, ts(now()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not check the lease of job " + id, e);
        }
    }

    public record Heartbeat(List<UUID> held, List<UUID> cancelRequested) {
    }

    /**
     * Renews the lease of the given running jobs of this worker and reports which ones it still
     * holds and which ones someone asked to cancel.
     */
    public Heartbeat heartbeat(String workerId, Collection<UUID> ids, Duration lease) {
        if (ids.isEmpty()) {
            return new Heartbeat(List.of(), List.of());
        }
        Instant now = now();
        List<UUID> held = new ArrayList<>();
        List<UUID> cancel = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE job SET lease_expires_at = ?
                WHERE id = ANY (?) AND locked_by = ? AND state = 'running'
                RETURNING id, cancel_requested_at IS NOT NULL""")) {
            ps.setObject(1, ts(now.plus(lease)));
            ps.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            ps.setString(3, workerId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    UUID id = rs.getObject(1, UUID.class);
                    held.add(id);
                    if (rs.getBoolean(2)) {
                        cancel.add(id);
                    }
                }
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not renew leases", e);
        }
        return new Heartbeat(held, cancel);
    }

    /** Stores a running job's progress. */
    public void progress(UUID id, String workerId, JobProgress progress) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE job SET progress = CAST(? AS jsonb)
                WHERE id = ? AND locked_by = ? AND state = 'running'""")) {
            ps.setString(1, toJson(progress.toMap()));
            ps.setObject(2, id);
            ps.setString(3, workerId);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new JobQueueException("could not store progress", e);
        }
    }

    public sealed interface CancelResult {
        /** A queued job, cancelled at once. */
        record Cancelled(Job job) implements CancelResult {
        }

        /** A running job, told to stop; it ends {@code cancelled} when its handler has cleaned up. */
        record Requested(Job job) implements CancelResult {
        }

        /** Already succeeded, failed or cancelled: nothing to cancel. */
        record AlreadyFinished(Job job) implements CancelResult {
        }

        record NotFound() implements CancelResult {
        }
    }

    /** Cancels a queued job at once, or asks the worker of a running job to stop (one statement with its NOTIFY). */
    public CancelResult requestCancel(UUID id) {
        Instant now = now();
        try (Connection c = ds.getConnection()) {
            Optional<Job> changed;
            try (PreparedStatement ps = c.prepareStatement("""
                    WITH upd AS (
                        UPDATE job SET
                            state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
                            finished_at = CASE WHEN state = 'queued' THEN CAST(? AS timestamptz) ELSE finished_at END,
                            error = CASE WHEN state = 'queued' THEN 'cancelled on request' ELSE error END,
                            cancel_requested_at = coalesce(cancel_requested_at, CAST(? AS timestamptz))
                        WHERE id = ? AND state IN ('queued', 'running')
                        RETURNING *)
                    SELECT upd.*, pg_notify(?, (CASE WHEN state = 'cancelled' THEN 'finished ' ELSE 'cancel ' END)
                                           || id || ' ' || kind || ' ' || coalesce(target, '')) FROM upd""")) {
                ps.setObject(1, ts(now));
                ps.setObject(2, ts(now));
                ps.setObject(3, id);
                ps.setString(4, CHANNEL);
                List<Job> rows = list(ps);
                changed = rows.stream().findFirst();
            }
            if (changed.isEmpty()) {
                return selectOne(c, "SELECT * FROM job WHERE id = ?", id)
                        .<CancelResult>map(CancelResult.AlreadyFinished::new).orElseGet(CancelResult.NotFound::new);
            }
            Job job = changed.get();
            return job.jobState() == JobState.CANCELLED ? new CancelResult.Cancelled(job) : new CancelResult.Requested(job);
        } catch (SQLException e) {
            throw new JobQueueException("could not cancel job " + id, e);
        }
    }

    public record Rescued(UUID id, JobState state) {
    }

    /**
     * Returns jobs whose lease expired before {@code now} to the queue (next attempt), or fails them
     * when their attempts are spent, or cancels them when a cancel was requested.
     */
    public List<Rescued> rescueExpired(Instant now) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH expired AS (
                    SELECT id FROM job WHERE state = 'running' AND lease_expires_at < ?
                    FOR UPDATE SKIP LOCKED
                ), decided AS (
                    SELECT j.id, j.locked_by,
                           CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                                WHEN j.attempt >= j.max_attempts THEN 'failed'
                                ELSE 'queued' END AS next
                    FROM job j JOIN expired USING (id)
                ), upd AS (
                    UPDATE job SET state = d.next,
                        error = 'worker ' || d.locked_by || ' stopped renewing its lease (it crashed, was killed'
                                || ' or lost its database connection) during attempt ' || job.attempt
                                || ' of ' || job.max_attempts,
                        finished_at = CASE WHEN d.next = 'queued' THEN NULL ELSE CAST(? AS timestamptz) END,
                        run_at = CASE WHEN d.next = 'queued' THEN CAST(? AS timestamptz) ELSE job.run_at END,
                        locked_by = NULL, lease_expires_at = NULL
                    FROM decided d WHERE job.id = d.id
                    RETURNING job.id, job.state, job.kind, job.target)
                SELECT id, state, pg_notify(?, (CASE WHEN state = 'queued' THEN 'queued ' ELSE 'finished ' END)
                                            || id || ' ' || kind || ' ' || coalesce(target, '')) FROM upd""")) {
            ps.setObject(1, ts(now));
            ps.setObject(2, ts(now));
            ps.setObject(3, ts(now));
            ps.setString(4, CHANNEL);
            List<Rescued> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Rescued(rs.getObject(1, UUID.class), JobState.fromDb(rs.getString(2))));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new JobQueueException("could not rescue expired jobs", e);
        }
    }

    /** Deletes up to {@code batch} finished jobs that finished before {@code cutoff} (their follow-up records go with them). */
    public int deleteFinishedBefore(Instant cutoff, int batch) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                DELETE FROM job WHERE id IN (
                    SELECT id FROM job WHERE finished_at < ? ORDER BY finished_at LIMIT ?)""")) {
            ps.setObject(1, ts(cutoff));
            ps.setInt(2, batch);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new JobQueueException("could not delete old jobs", e);
        }
    }

    // ---- reading ----------------------------------------------------------------------------------------

    public Optional<Job> find(UUID id) {
        try (Connection c = ds.getConnection()) {
            return selectOne(c, "SELECT * FROM job WHERE id = ?", id);
        } catch (SQLException e) {
            throw new JobQueueException("could not read job " + id, e);
        }
    }

    /** The job that holds this (stored) Idempotency-Key, if any. */
    public Optional<Job> findByIdempotencyKey(String key) {
        try (Connection c = ds.getConnection()) {
            return selectOne(c, "SELECT * FROM job WHERE idempotency_key = ?", key);
        } catch (SQLException e) {
            throw new JobQueueException("could not read the job of an idempotency key", e);
        }
    }

    /**
     * A page of jobs, newest first. Null filters are not applied; {@code beforeCreatedAt} and
     * {@code beforeId} (both or neither) continue after the last job of the previous page.
     */
    public List<Job> list(String target, String kind, JobState state, Instant beforeCreatedAt, UUID beforeId, int limit) {
        StringBuilder sql = new StringBuilder("SELECT * FROM job WHERE true");
        List<Object> params = new ArrayList<>();
        if (target != null) {
            sql.append(" AND target = ?");
            params.add(target);
        }
        if (kind != null) {
            sql.append(" AND kind = ?");
            params.add(kind);
        }
        if (state != null) {
            sql.append(" AND state = ?");
            params.add(state.db());
        }
        if (beforeCreatedAt != null) {
            sql.append(" AND (created_at, id) < (?, ?)");
            params.add(ts(beforeCreatedAt));
            params.add(beforeId);
        }
        sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
        params.add(limit);
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            return list(ps);
        } catch (SQLException e) {
            throw new JobQueueException("could not list jobs", e);
        }
    }

    /**
     * The state of the job of {@code kind} whose id starts with these hex digits (dashes left out), as
     * scratch database names carry it; empty when this installation has no such job. If several match
     * (never in practice: 64 bits), {@code running} wins.
     */
    public Optional<JobState> stateOfIdPrefix(String kind, String hexPrefix) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT state FROM job WHERE kind = ? AND starts_with(replace(id::text, '-', ''), ?)
                ORDER BY state = 'running' DESC LIMIT 1""")) {
            ps.setString(1, kind);
            ps.setString(2, hexPrefix);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(JobState.fromDb(rs.getString(1))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not look up jobs by id prefix", e);
        }
    }

    /**
     * The backups that queued or running jobs of these kinds will read: the {@code backupId} of their
     * arguments (the field every job about one backup has).
     */
    public Set<UUID> backupsInUse(Collection<String> kinds) {
        Set<UUID> ids = new HashSet<>();
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT DISTINCT args->>'backupId' FROM job
                WHERE state IN ('queued', 'running') AND kind = ANY (?) AND args->>'backupId' IS NOT NULL""")) {
            ps.setArray(1, c.createArrayOf("text", kinds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    try {
                        ids.add(UUID.fromString(rs.getString(1)));
                    } catch (IllegalArgumentException ignored) {
                        // not a backup id: nothing to protect
                    }
                }
            }
        } catch (SQLException e) {
            throw new JobQueueException("cannot tell which backups are in use", e);
        }
        return ids;
    }

    /** Number of jobs in each state, for metrics. */
    public Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM job GROUP BY state");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                counts.put(JobState.fromDb(rs.getString(1)), rs.getLong(2));
            }
        } catch (SQLException e) {
            throw new JobQueueException("could not count jobs", e);
        }
        return counts;
    }

    // ---- follow-ups ---------------------------------------------------------------------------------------

    /**
     * Records that {@code followUp} ran for the job, on the caller's transaction (a connection obtained
     * inside a JTA transaction joins it). Returns false when it was recorded before: by another replica,
     * or by an earlier pass; a concurrent insert of the same record waits for that one to commit.
     */
    boolean markFollowedUp(UUID jobId, String followUp) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                INSERT INTO job_follow_up (job_id, name, done_at) VALUES (?, ?, ?)
                ON CONFLICT (job_id, name) DO NOTHING""")) {
            ps.setObject(1, jobId);
            ps.setString(2, followUp);
            ps.setObject(3, ts(now()));
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new JobQueueException("could not record follow-up " + followUp + " of job " + jobId, e);
        }
    }

    /** Jobs of these kinds that finished since {@code since} without a record of {@code followUp}, oldest first (at most {@code limit}). */
    List<Job> awaitingFollowUp(String followUp, Collection<String> kinds, Instant since, int limit) {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT * FROM job j
                WHERE j.finished_at > ? AND j.state IN %s AND j.kind = ANY (?)
                  AND NOT EXISTS (SELECT 1 FROM job_follow_up f WHERE f.job_id = j.id AND f.name = ?)
                ORDER BY j.finished_at LIMIT ?""".formatted(TERMINAL))) {
            ps.setObject(1, ts(since));
            ps.setArray(2, c.createArrayOf("text", kinds.toArray()));
            ps.setString(3, followUp);
            ps.setInt(4, limit);
            return list(ps);
        } catch (SQLException e) {
            throw new JobQueueException("could not find jobs awaiting follow-up " + followUp, e);
        }
    }

    // ---- mapping ------------------------------------------------------------------------------------------

    private Optional<Job> selectOne(Connection c, String sql, Object param) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, param);
            return list(ps).stream().findFirst();
        }
    }

    private List<Job> list(PreparedStatement ps) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                jobs.add(toJob(rs));
            }
        }
        return jobs;
    }

    /** Maps a full {@code job} row (SELECT * / RETURNING *): the one place rows become {@link Job}s. */
    private Job toJob(ResultSet rs) throws SQLException {
        return new Job(
                rs.getObject("id", UUID.class),
                rs.getString("kind"),
                rs.getString("target"),
                rs.getString("state"),
                fromJson(rs.getString("args")),
                fromJson(rs.getString("result")),
                rs.getString("error"),
                rs.getInt("attempt"),
                rs.getInt("max_attempts"),
                instant(rs, "run_at"),
                rs.getString("locked_by"),
                instant(rs, "lease_expires_at"),
                rs.getString("idempotency_key"),
                fromJson(rs.getString("progress")),
                instant(rs, "cancel_requested_at"),
                instant(rs, "created_at"),
                instant(rs, "started_at"),
                instant(rs, "finished_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> fromJson(String text) {
        if (text == null) {
            return null;
        }
        try {
            return json.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("job row holds JSON that is not an object", e);
        }
    }

    static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static OffsetDateTime ts(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job data is not serialisable as JSON", e);
        }
    }

    private boolean sameJson(Map<String, Object> stored, String requested) {
        // Compare as parsed JSON trees so Java number types (Integer vs Long) and key order don't matter.
        try {
            return json.readTree(toJson(stored)).equals(json.readTree(requested));
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
