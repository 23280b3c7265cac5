package dev.lifeboat.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import org.jboss.logging.Logger;

import java.sql.Array;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Every state transition of the job table, each one SQL statement (plus its NOTIFY) in its own
 * transaction. The worker's hot path (enqueue, claim, complete, heartbeat, progress) uses plain JDBC on
 * the Agroal pool in autocommit mode: each is a single statement, so it is exactly as atomic, and it
 * skips Hibernate's session, entity hydration and JTA bookkeeping, which cost more CPU than the SQL. "Now" is passed in by the caller (from the injected {@link Clock}) so tests can move
 * time; transitions out of {@code running} only apply while the caller still holds the lease
 * ({@code locked_by} matches), so a worker whose job was rescued can never overwrite the new run.
 */
@ApplicationScoped
public class JobQueue {
    private static final Logger LOG = Logger.getLogger(JobQueue.class);
    /** NOTIFY channel; payload {@code "<event> <job id> [target]"}, see {@link JobEvents}. */
    public static final String CHANNEL = "lifeboat_job";

    @Inject
    EntityManager em;
    @Inject
    AgroalDataSource ds;
    @Inject
    ObjectMapper json;
    @Inject
    LifeboatConfig config;
    @Inject
    Clock clock;

    /** The current time at the database's precision (microseconds), so cursors compare exactly. */
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    public record Enqueued(Job job, boolean created) {
    }

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
                    SELECT ins.*, pg_notify(?, 'queued ' || ins.id || ' ' || coalesce(ins.target, '')) FROM ins""")) {
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
            Job existing;
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM job WHERE idempotency_key = ?")) {
                ps.setString(1, newJob.idempotencyKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        // Only possible if the earlier job was deleted between the two statements.
                        throw new IllegalStateException("job with Idempotency-Key vanished; retry the request");
                    }
                    existing = toJob(rs);
                }
            }
            if (!Objects.equals(existing.kind, newJob.kind()) || !Objects.equals(existing.target, newJob.target())
                    || !sameJson(existing.args, newJob.args())) {
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
            List<Job> jobs = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    jobs.add(toJob(rs));
                }
            }
            return jobs;
        } catch (SQLException e) {
            if (isUniqueViolation(e)) {
                LOG.debugf("claim raced another replica for a target; claiming again");
                return List.of();
            }
            throw new JobQueueException("could not claim jobs", e);
        }
    }

    /** A succeeded job's result, to be recorded by {@link #completeAll}. */
    public record Completion(UUID id, Map<String, Object> result) {
    }

    /** Largest NOTIFY payload we send; PostgreSQL's limit is 8000 bytes. */
    private static final int MAX_PAYLOAD = 7900;

    /**
     * Records the success of several jobs of this worker in one transaction: one UPDATE for all of
     * them and one NOTIFY per ~60 jobs (a payload holds one {@code "finished <id> <target>"} line per
     * job). NOTIFY-ing commits are serialised by PostgreSQL, so one per batch instead of one per job
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
            results[i] = toJson(completions.get(i).result());
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
                        RETURNING job.id, job.target""")) {
                    ps.setObject(1, ts(now));
                    ps.setArray(2, c.createArrayOf("uuid", ids));
                    ps.setArray(3, c.createArrayOf("text", results));
                    ps.setString(4, workerId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            UUID id = rs.getObject(1, UUID.class);
                            String target = rs.getString(2);
                            held.add(id);
                            String line = "finished " + id + " " + (target == null ? "" : target);
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
    public boolean complete(UUID id, String workerId, Map<String, Object> result) {
        return completeAll(workerId, List.of(new Completion(id, result))).contains(id);
    }

    /** Records a failed attempt and queues the next one at {@code runAt}. */
    public boolean retry(UUID id, String workerId, String error, Instant runAt) {
        return finishRunning(id, workerId, "state = 'queued', error = :error, run_at = :runAt",
                Map.of("error", error, "runAt", ts(runAt)));
    }

    /** Records a permanent failure (or the last attempt's failure). */
    public boolean fail(UUID id, String workerId, String error) {
        return finishRunning(id, workerId, "state = 'failed', error = :error, finished_at = :now",
                Map.of("error", error));
    }

    /** Records that a running job stopped because it was cancelled. */
    public boolean cancelled(UUID id, String workerId) {
        return finishRunning(id, workerId,
                "state = 'cancelled', error = 'cancelled on request', finished_at = :now", Map.of());
    }

    /** Puts a job back in the queue without spending an attempt (this replica is shutting down). */
    public boolean release(UUID id, String workerId) {
        return finishRunning(id, workerId, "state = 'queued', run_at = :now, attempt = attempt - 1", Map.of());
    }

    private boolean finishRunning(UUID id, String workerId, String set, Map<String, Object> params) {
        Instant now = now();
        return QuarkusTransaction.requiringNew().call(() -> {
            var q = em.createNativeQuery("""
                    WITH done AS (
                        UPDATE job SET %s, locked_by = NULL, lease_expires_at = NULL
                        WHERE id = :id AND locked_by = :worker AND state = 'running'
                        RETURNING id, state, target)
                    SELECT count(pg_notify('%s', (CASE WHEN state = 'queued' THEN 'released ' ELSE 'finished ' END)
                                 || id || ' ' || coalesce(target, ''))) FROM done""".formatted(set, CHANNEL))
                    .setParameter("id", id)
                    .setParameter("worker", workerId);
            if (set.contains(":now")) {
                q.setParameter("now", ts(now));
            }
            params.forEach(q::setParameter);
            return ((Number) q.getSingleResult()).longValue() == 1;
        });
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

    /** Cancels a queued job at once, or asks the worker of a running job to stop. */
    @SuppressWarnings("unchecked")
    public CancelResult requestCancel(UUID id) {
        Instant now = now();
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Job> rows = em.createNativeQuery("""
                    UPDATE job SET
                        state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,
                        finished_at = CASE WHEN state = 'queued' THEN CAST(:now AS timestamptz) ELSE finished_at END,
                        error = CASE WHEN state = 'queued' THEN 'cancelled on request' ELSE error END,
                        cancel_requested_at = coalesce(cancel_requested_at, CAST(:now AS timestamptz))
                    WHERE id = :id AND state IN ('queued', 'running')
                    RETURNING *""", Job.class)
                    .setParameter("now", ts(now))
                    .setParameter("id", id)
                    .getResultList();
            if (rows.isEmpty()) {
                Job job = em.find(Job.class, id);
                return job == null ? new CancelResult.NotFound() : new CancelResult.AlreadyFinished(job);
            }
            Job job = rows.get(0);
            if (job.jobState() == JobState.CANCELLED) {
                notify("finished", job.id, job.target);
                return new CancelResult.Cancelled(job);
            }
            notify("cancel", job.id, job.target);
            return new CancelResult.Requested(job);
        });
    }

    public record Rescued(UUID id, JobState state) {
    }

    /**
     * Returns jobs whose lease expired before {@code now} to the queue (next attempt), or fails them
     * when their attempts are spent, or cancels them when a cancel was requested.
     */
    @SuppressWarnings("unchecked")
    public List<Rescued> rescueExpired(Instant now) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Object[]> rows = em.createNativeQuery("""
                    WITH expired AS (
                        SELECT id FROM job WHERE state = 'running' AND lease_expires_at < :now
                        FOR UPDATE SKIP LOCKED
                    ), decided AS (
                        SELECT j.id, j.locked_by,
                               CASE WHEN j.cancel_requested_at IS NOT NULL THEN 'cancelled'
                                    WHEN j.attempt >= j.max_attempts THEN 'failed'
                                    ELSE 'queued' END AS next
                        FROM job j JOIN expired USING (id)
                    )
                    UPDATE job SET state = d.next,
                        error = 'worker ' || d.locked_by || ' stopped renewing its lease (it crashed, was killed'
                                || ' or lost its database connection) during attempt ' || job.attempt
                                || ' of ' || job.max_attempts,
                        finished_at = CASE WHEN d.next = 'queued' THEN NULL ELSE CAST(:now AS timestamptz) END,
                        run_at = CASE WHEN d.next = 'queued' THEN CAST(:now AS timestamptz) ELSE job.run_at END,
                        locked_by = NULL, lease_expires_at = NULL
                    FROM decided d WHERE job.id = d.id
                    RETURNING job.id::text, job.state, job.target""")
                    .setParameter("now", ts(now))
                    .getResultList();
            List<Rescued> out = new ArrayList<>();
            for (Object[] r : rows) {
                Rescued rescued = new Rescued(UUID.fromString((String) r[0]), JobState.fromDb((String) r[1]));
                out.add(rescued);
                notify(rescued.state() == JobState.QUEUED ? "queued" : "finished", rescued.id(), (String) r[2]);
            }
            return out;
        });
    }

    /** Deletes up to {@code batch} finished jobs that finished before {@code cutoff}. */
    public int deleteFinishedBefore(Instant cutoff, int batch) {
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("""
                DELETE FROM job WHERE id IN (
                    SELECT id FROM job WHERE finished_at < :cutoff ORDER BY finished_at LIMIT :batch)""")
                .setParameter("cutoff", ts(cutoff))
                .setParameter("batch", batch)
                .executeUpdate());
    }

    public Optional<Job> find(UUID id) {
        return QuarkusTransaction.requiringNew().call(() -> Optional.ofNullable(em.find(Job.class, id)));
    }

    /** Jobs of these kinds that succeeded or failed within the last {@code window}, oldest first (at most 10,000). */
    public List<Job> finishedWithin(java.time.Duration window, java.util.Collection<String> kinds) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                        "FROM Job WHERE finishedAt > :since AND state IN ('succeeded', 'failed') AND kind IN :kinds ORDER BY finishedAt", Job.class)
                .setParameter("since", now().minus(window))
                .setParameter("kinds", kinds)
                .setMaxResults(10_000)
                .getResultList());
    }

    /** Number of jobs in each state, for metrics. */
    @SuppressWarnings("unchecked")
    public Map<JobState, Long> countByState() {
        List<Object[]> rows = QuarkusTransaction.requiringNew().call(() ->
                em.createNativeQuery("SELECT state, count(*) FROM job GROUP BY state").getResultList());
        Map<JobState, Long> counts = new java.util.EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, 0L);
        }
        for (Object[] r : rows) {
            counts.put(JobState.fromDb((String) r[0]), ((Number) r[1]).longValue());
        }
        return counts;
    }

    private void notify(String event, UUID id, String target) {
        em.createNativeQuery("SELECT pg_notify(:channel, :payload)")
                .setParameter("channel", CHANNEL)
                .setParameter("payload", event + " " + id + " " + (target == null ? "" : target))
                .getSingleResult();
    }

    /** Maps a full {@code job} row (SELECT * / RETURNING *) without going through Hibernate. */
    private Job toJob(ResultSet rs) throws SQLException {
        Job j = new Job();
        j.id = rs.getObject("id", UUID.class);
        j.kind = rs.getString("kind");
        j.target = rs.getString("target");
        j.state = rs.getString("state");
        j.args = fromJson(rs.getString("args"));
        j.result = fromJson(rs.getString("result"));
        j.error = rs.getString("error");
        j.attempt = rs.getInt("attempt");
        j.maxAttempts = rs.getInt("max_attempts");
        j.runAt = instant(rs, "run_at");
        j.lockedBy = rs.getString("locked_by");
        j.leaseExpiresAt = instant(rs, "lease_expires_at");
        j.idempotencyKey = rs.getString("idempotency_key");
        j.progress = fromJson(rs.getString("progress"));
        j.cancelRequestedAt = instant(rs, "cancel_requested_at");
        j.createdAt = instant(rs, "created_at");
        j.startedAt = instant(rs, "started_at");
        j.finishedAt = instant(rs, "finished_at");
        return j;
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

    private String toJson(Map<String, Object> m) {
        try {
            return json.writeValueAsString(m == null ? Map.of() : m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("job data is not serialisable as JSON", e);
        }
    }

    private boolean sameJson(Map<String, Object> stored, Map<String, Object> requested) {
        // Compare as re-parsed JSON text so Java number types (Integer vs Long) don't matter.
        try {
            return json.readTree(toJson(stored)).equals(json.readTree(toJson(requested)));
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
