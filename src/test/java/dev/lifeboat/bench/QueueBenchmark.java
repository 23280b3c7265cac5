package dev.lifeboat.bench;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.Job;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobEvents;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.JobProgress;
import dev.lifeboat.job.JobQueue;
import dev.lifeboat.job.JobWorker;
import dev.lifeboat.job.NewJob;
import dev.lifeboat.job.WorkerPool;
import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.TestKind;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.enterprise.inject.Vetoed;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue benchmark (run by {@code bench/queue.sh}, see bench/README.md; not part of the test suite:
 * surefire's default includes only match *Test / *Tests / *TestCase / Test*).
 *
 * <ol>
 *   <li><b>Throughput</b>: N queued no-op jobs are bulk-inserted, then two worker pools (two
 *   {@link JobWorker}s from {@link WorkerPool#newWorker}, i.e. two replicas sharing the table) are
 *   started and the clock runs until the database says all N are {@code succeeded}:
 *   jobs/s = N / seconds (claim + handler + completion, each committed).</li>
 *   <li><b>Pickup latency</b>: with both pools idle, one job at a time is enqueued through
 *   {@link JobQueue#enqueue} (INSERT + pg_notify, committed); latency = from just before the enqueue
 *   call to the moment the handler starts. It therefore includes the INSERT/commit round trip.</li>
 * </ol>
 *
 * System properties (pass them to bench/queue.sh): {@code bench.concurrency} (slots per pool, comma
 * separated list, default 4,8), {@code bench.jobs} (N, default 30000), {@code bench.warmup} (jobs of
 * the warm-up round before each measured round, default 3000), {@code bench.rounds} (measured rounds per
 * concurrency, default 1), {@code bench.latency.samples} (default 1000), {@code bench.latency.warmup}
 * (default 100), {@code bench.profile} (default false: adds an instrumented round that times the
 * queue's statements from the worker's side and reads PostgreSQL's WAL statistics).
 *
 * <p>The last line printed (and the content of target/bench/queue.txt) is the one-line summary.
 */
@QuarkusTest
class QueueBenchmark {
    static final String KIND = "noop_bench";
    static final double TARGET_JOBS_PER_S = 2000;
    static final double TARGET_P50_MS = 5;

    @Inject
    WorkerPool workerPool;
    @Inject
    JobQueue queue;
    @Inject
    JobEvents events;
    @Inject
    AgroalDataSource ds;
    @Inject
    LifeboatConfig config;
    @Inject
    MeterRegistry metrics;

    private final List<JobWorker> started = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();
    /** The most CPU other processes took in any measured phase (percent of all CPUs). */
    private double maxOtherCpu;

    /** Jobs run per worker id in the current round. */
    private final Map<String, LongAdder> ranBy = new ConcurrentHashMap<>();
    private final LongAdder ran = new LongAdder();
    /** Latency phase: the nanoTime at which the handler started each job. */
    private final Map<UUID, CompletableFuture<Long>> startedAt = new ConcurrentHashMap<>();
    /** Latency phase: the nanoTime at which this JVM's LISTEN connection delivered the job's "queued" event. */
    private final Map<UUID, Long> notifiedAt = new ConcurrentHashMap<>();
    private volatile boolean latencyMode;

    private final JobHandler<ScriptArgs, Object> noop = new TestKind() {
        @Override
        public String kind() {
            return KIND;
        }

        @Override
        public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) {
            if (latencyMode) {
                long now = System.nanoTime();
                startedAt.computeIfAbsent(ctx.jobId(), id -> new CompletableFuture<>()).complete(now);
            }
            ran.increment();
            ranBy.computeIfAbsent(ctx.workerId(), w -> new LongAdder()).increment();
            return JobOutcome.succeeded(Map.of());
        }
    };

    record Round(int concurrency, int jobs, double seconds, Map<String, Long> share, Cpu cpu) {
        double jobsPerSecond() {
            return jobs / seconds;
        }
    }

    /** Percentages of all CPUs' time: busy in total, this JVM, PostgreSQL's processes, everything else. */
    record Cpu(double machineBusyPct, double jvmPct, double postgresPct, double otherPct) {
    }

    record Latency(int n, double p50, double p90, double p99, double max, double enqueueP50, double enqueueP99,
                   double notifiedP50, double notifiedP99, double notifiedToStartP50, double notifiedToStartP99,
                   Map<String, Long> pickedBy) {
    }

    @AfterEach
    void cleanUp() throws SQLException {
        latencyMode = false;
        for (JobWorker w : started) {
            w.stop(Duration.ofSeconds(5));
        }
        started.clear();
        sql("DELETE FROM job WHERE kind = '" + KIND + "'");
    }

    @Test
    void queueBenchmark() throws Exception {
        List<Integer> concurrencies = Arrays.stream(prop("bench.concurrency", "4,8").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
        int jobs = Integer.parseInt(prop("bench.jobs", "30000"));
        int warmup = Integer.parseInt(prop("bench.warmup", "3000"));
        int rounds = Integer.parseInt(prop("bench.rounds", "1"));
        int samples = Integer.parseInt(prop("bench.latency.samples", "1000"));
        int latencyWarmup = Integer.parseInt(prop("bench.latency.warmup", "100"));
        boolean profile = Boolean.parseBoolean(prop("bench.profile", "false"));

        line("queue bench: kind %s, %d CPUs (availableProcessors), %s", KIND,
                Runtime.getRuntime().availableProcessors(), serverVersion());
        line("settings: lease %s, poll interval %s (test profile); N = %d jobs per round, warm-up %d",
                config.queue().lease(), config.queue().pollInterval(), jobs, warmup);
        line("the application's own worker pool is %s",
                workerPool.worker() == null ? "disabled (lifeboat.queue.enabled=false): only the two bench pools run"
                        : "running too (it claims only its own kinds, but wakes on every NOTIFY)");

        Map<Integer, List<Round>> results = new TreeMap<>();
        for (int c : concurrencies) {
            throughput(c, warmup, "warm-up");
            for (int r = 1; r <= rounds; r++) {
                Round round = throughput(c, jobs, rounds == 1 ? "measured" : "measured " + r + "/" + rounds);
                results.computeIfAbsent(c, k -> new ArrayList<>()).add(round);
            }
        }
        if (profile) {
            profiledRound(concurrencies.get(0), Math.min(jobs, 20_000));
        }

        int latencyConcurrency = concurrencies.get(0);
        Latency lat = latency(latencyConcurrency, latencyWarmup, samples);

        StringBuilder summary = new StringBuilder("queue bench: ");
        boolean throughputMet = false;
        for (var e : results.entrySet()) {
            double best = e.getValue().stream().mapToDouble(Round::jobsPerSecond).max().orElse(0);
            throughputMet |= best >= TARGET_JOBS_PER_S;
            summary.append(String.format(Locale.ROOT, "2 pools x %d workers: %.0f jobs/s; ", e.getKey(), best));
        }
        summary.append(String.format(Locale.ROOT, "pickup latency p50 %.1f ms p99 %.1f ms (n=%d)", lat.p50(), lat.p99(), lat.n()));
        summary.append(String.format(Locale.ROOT, " [targets: >= %.0f jobs/s %s, p50 <= %.0f ms %s]",
                TARGET_JOBS_PER_S, throughputMet ? "met" : "MISSED", TARGET_P50_MS, lat.p50() <= TARGET_P50_MS ? "met" : "MISSED"));
        if (maxOtherCpu > 10) {
            summary.append(String.format(Locale.ROOT, " [NOT CLEAN: other processes took up to %.0f%% of the CPUs]", maxOtherCpu));
        }
        line("");
        line("%s", summary);

        Path dir = Path.of("target", "bench");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("queue-report.txt"), report, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("queue.txt"), summary + "\n", StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- throughput

    private Round throughput(int concurrency, int n, String label) throws Exception {
        return throughput(concurrency, n, label, (id, c) -> workerPool.newWorker(id, c, Map.of(KIND, noop)));
    }

    interface WorkerFactory {
        JobWorker create(String workerId, int concurrency);
    }

    private Round throughput(int concurrency, int n, String label, WorkerFactory factory) throws Exception {
        prepareQueued(n);
        ran.reset();
        ranBy.clear();
        JobWorker a = factory.create("bench-a", concurrency);
        JobWorker b = factory.create("bench-b", concurrency);
        CpuSample cpu0 = CpuSample.take();
        long t0 = System.nanoTime();
        a.start();
        started.add(a);
        b.start();
        started.add(b);
        // Handlers counted in memory are cheap to poll; once they ran all N, ask the database until
        // every completion is committed. The clock stops at the first poll that sees N succeeded.
        long deadline = t0 + TimeUnit.SECONDS.toNanos(Math.max(120, n / 100));
        while (ran.sum() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long t1;
        while (true) {
            long done = count("SELECT count(*) FROM job WHERE kind = '" + KIND + "' AND state = 'succeeded'");
            t1 = System.nanoTime();
            if (done >= n) {
                break;
            }
            if (t1 > deadline) {
                throw new AssertionError(label + ": only " + done + " of " + n + " jobs succeeded in time");
            }
            Thread.sleep(2);
        }
        CpuSample cpu1 = CpuSample.take();
        stopAll();
        assertThat(count("SELECT count(*) FROM job WHERE kind = '" + KIND + "' AND state <> 'succeeded'"))
                .as("bench jobs not succeeded").isZero();
        double seconds = (t1 - t0) / 1e9;
        Map<String, Long> share = new TreeMap<>();
        ranBy.forEach((w, c) -> share.put(w, c.sum()));
        Cpu cpu = cpu0.until(cpu1);
        Round r = new Round(concurrency, n, seconds, share, cpu);
        line("throughput %-9s 2 pools x %d workers: %6d jobs in %6.2f s = %7.0f jobs/s; share %s; CPU (%% of all CPUs): %.0f%% busy = JVM %.0f%% + PostgreSQL %.0f%% + other %.0f%%%s",
                label, concurrency, n, seconds, r.jobsPerSecond(), shares(share, n), cpu.machineBusyPct(), cpu.jvmPct(),
                cpu.postgresPct(), cpu.otherPct(),
                ran.sum() > n ? "; handler runs " + ran.sum() + " (some jobs ran twice)" : "");
        if (!label.startsWith("warm-up") && !label.equals("profiled")) {
            maxOtherCpu = Math.max(maxOtherCpu, cpu.otherPct());
        }
        if (cpu.otherPct() > 10) {
            line("  WARNING: other processes used %.0f%% of the CPUs during this round: the figure is not clean", cpu.otherPct());
        }
        return r;
    }

    /** Empties the bench kind, then inserts n queued jobs in one statement and refreshes planner statistics. */
    private void prepareQueued(int n) throws SQLException {
        sql("DELETE FROM job WHERE kind = '" + KIND + "'");
        sql("VACUUM (ANALYZE) job");
        sql("""
                INSERT INTO job (id, kind, args, max_attempts, run_at, created_at)
                SELECT gen_random_uuid(), '%s', '{}', %d, now(), now() FROM generate_series(1, %d)"""
                .formatted(KIND, config.queue().maxAttempts(), n));
        sql("ANALYZE job");
    }

    private static String shares(Map<String, Long> share, int n) {
        StringBuilder sb = new StringBuilder();
        share.forEach((w, c) -> sb.append(sb.isEmpty() ? "" : ", ")
                .append(String.format(Locale.ROOT, "%s %.1f%%", w, 100.0 * c / n)));
        return sb.toString();
    }

    // ---------------------------------------------------------------- profile

    /**
     * One more throughput round whose workers use a timing decorator of {@link JobQueue}: how many
     * claim / complete / heartbeat transactions per job and how long each takes as the worker sees it,
     * plus PostgreSQL's WAL flush counts over the round.
     */
    private void profiledRound(int concurrency, int n) throws Exception {
        Timing timing = new Timing(queue);
        LifeboatConfig.Queue q = config.queue();
        // Same settings as WorkerPool.newWorker builds.
        Duration heartbeat = Duration.ofMillis(Math.max(50, Math.min(1000, q.lease().toMillis() / 3)));
        JobWorker.Settings settings = new JobWorker.Settings(concurrency, q.lease(), q.pollInterval(),
                q.retryBackoff(), q.retryBackoffMax(), heartbeat);
        long[] wal0 = walStats();
        Round r = throughput(concurrency, n, "profiled", (id, c) -> new JobWorker(id, timing, events, Map.of(KIND, noop), settings, metrics));
        // Backends flush their statistics at most once a second while busy, idle ones within 10 s.
        Thread.sleep(11_000);
        long[] wal1 = walStats();
        line("profile (2 pools x %d, %d jobs, %.0f jobs/s; times as seen by the worker threads):", concurrency, n, r.jobsPerSecond());
        line("%s", timing.claim.describe("claim", n));
        line("%s", timing.complete.describe("complete", n));
        line("%s", timing.heartbeat.describe("heartbeat", n));
        line("  claims returned %.2f jobs on average; %d claims returned none; completion batches held %.2f jobs on average",
                (double) timing.claimedJobs.sum() / Math.max(1, timing.claim.calls.sum()), timing.emptyClaims.sum(),
                (double) timing.completedJobs.sum() / Math.max(1, timing.complete.calls.sum()));
        double busy = (timing.claim.nanos.sum() + timing.complete.nanos.sum()) / 1e9;
        line("  claim + complete time summed over threads: %.1f s in a %.1f s round", busy, r.seconds());
        if (wal0 != null && wal1 != null) {
            line("  PostgreSQL (whole cluster, pg_stat_wal): %.2f WAL records/job, %.0f bytes/job, %.2f WAL writes/job, %.2f WAL fsyncs/job (%.0f fsyncs/s)",
                    (double) (wal1[0] - wal0[0]) / n, (double) (wal1[1] - wal0[1]) / n,
                    (double) (wal1[2] - wal0[2]) / n, (double) (wal1[3] - wal0[3]) / n,
                    (wal1[3] - wal0[3]) / r.seconds());
        }
    }

    private long[] walStats() {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT wal_records, wal_bytes, wal_write, wal_sync FROM pg_stat_wal")) {
            rs.next();
            return new long[]{rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)};
        } catch (SQLException e) {
            line("  (pg_stat_wal not readable: %s)", e.getMessage());
            return null;
        }
    }

    static final class Stat {
        final LongAdder calls = new LongAdder();
        final LongAdder nanos = new LongAdder();
        final long[] buckets = new long[64]; // log2(micros) histogram
        long maxNanos;

        synchronized void add(long ns) {
            calls.increment();
            nanos.add(ns);
            buckets[63 - Long.numberOfLeadingZeros(Math.max(1, ns / 1000))]++;
            maxNanos = Math.max(maxNanos, ns);
        }

        synchronized double quantileMs(double q) {
            long total = calls.sum();
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= q * total) {
                    return (1L << (i + 1)) / 1000.0; // upper bound of the bucket
                }
            }
            return 0;
        }

        String describe(String name, int jobs) {
            long n = calls.sum();
            return String.format(Locale.ROOT, "  %-9s %7d calls (%.2f per job), mean %.2f ms, p50 <= %.2f ms, p99 <= %.2f ms, max %.1f ms",
                    name, n, (double) n / jobs, n == 0 ? 0 : nanos.sum() / 1e6 / n, quantileMs(0.5), quantileMs(0.99), maxNanos / 1e6);
        }
    }

    /**
     * Times the calls a {@link JobWorker} makes; everything else goes straight to the real queue.
     * Vetoed: JobQueue's @ApplicationScoped is inherited, and this must not become a second JobQueue bean.
     */
    @Vetoed
    static final class Timing extends JobQueue {
        final JobQueue real;
        final Stat claim = new Stat();
        final Stat complete = new Stat();
        final Stat heartbeat = new Stat();
        final LongAdder claimedJobs = new LongAdder();
        final LongAdder completedJobs = new LongAdder();
        final LongAdder emptyClaims = new LongAdder();

        Timing(JobQueue real) {
            this.real = real;
        }

        @Override
        public Instant now() {
            return real.now();
        }

        @Override
        public List<Job> claim(String workerId, Collection<String> kinds, int limit, Duration lease) {
            long t = System.nanoTime();
            List<Job> jobs = real.claim(workerId, kinds, limit, lease);
            claim.add(System.nanoTime() - t);
            claimedJobs.add(jobs.size());
            if (jobs.isEmpty()) {
                emptyClaims.increment();
            }
            return jobs;
        }

        @Override
        public Set<UUID> completeAll(String workerId, List<Completion> completions) {
            long t = System.nanoTime();
            Set<UUID> held = real.completeAll(workerId, completions);
            complete.add(System.nanoTime() - t);
            completedJobs.add(completions.size());
            return held;
        }

        @Override
        public boolean retry(UUID id, String workerId, String error, Instant runAt) {
            return real.retry(id, workerId, error, runAt);
        }

        @Override
        public boolean fail(UUID id, String workerId, String error) {
            return real.fail(id, workerId, error);
        }

        @Override
        public boolean cancelled(UUID id, String workerId) {
            return real.cancelled(id, workerId);
        }

        @Override
        public boolean release(UUID id, String workerId) {
            return real.release(id, workerId);
        }

        @Override
        public Heartbeat heartbeat(String workerId, Collection<UUID> ids, Duration lease) {
            long t = System.nanoTime();
            Heartbeat hb = real.heartbeat(workerId, ids, lease);
            heartbeat.add(System.nanoTime() - t);
            return hb;
        }

        @Override
        public void progress(UUID id, String workerId, JobProgress progress) {
            real.progress(id, workerId, progress);
        }
    }

    // ---------------------------------------------------------------- latency

    private Latency latency(int concurrency, int warmup, int samples) throws Exception {
        sql("DELETE FROM job WHERE kind = '" + KIND + "'");
        sql("VACUUM (ANALYZE) job");
        ranBy.clear();
        JobWorker a = workerPool.newWorker("bench-a", concurrency, Map.of(KIND, noop));
        JobWorker b = workerPool.newWorker("bench-b", concurrency, Map.of(KIND, noop));
        a.start();
        started.add(a);
        b.start();
        started.add(b);
        assertThat(events.connected()).as("the LISTEN connection is up").isTrue();
        latencyMode = true;
        Thread.sleep(500);
        CpuSample cpu0 = CpuSample.take();
        double[] lat = new double[samples];
        double[] enq = new double[samples];
        double[] notified = new double[samples];
        double[] notifiedToStart = new double[samples];
        java.util.function.Consumer<JobEvents.Event> listener = e -> {
            if (e.type() == JobEvents.Type.QUEUED) {
                notifiedAt.put(e.jobId(), System.nanoTime());
            }
        };
        events.subscribe(listener);
        for (int i = -warmup; i < samples; i++) {
            awaitIdle(a, b);
            // A random pause so the enqueue lands at a random point relative to the pools' own timers.
            Thread.sleep(2 + ThreadLocalRandom.current().nextInt(6));
            if (i == 0) {
                ranBy.clear();
            }
            long t0 = System.nanoTime();
            UUID id = queue.enqueue(new NewJob(ScriptArgs.of(KIND, Map.of()), null, null)).job().id;
            long tReturned = System.nanoTime();
            CompletableFuture<Long> f = startedAt.computeIfAbsent(id, k -> new CompletableFuture<>());
            long tStart = f.get(10, TimeUnit.SECONDS);
            startedAt.remove(id);
            Long tNotified = notifiedAt.remove(id);
            if (i >= 0) {
                lat[i] = (tStart - t0) / 1e6;
                enq[i] = (tReturned - t0) / 1e6;
                // No timestamp if the job was claimed (by a poll or a wake for another reason) before its
                // notification was seen: that sample is left out of the two partial figures.
                notified[i] = tNotified == null ? Double.NaN : (tNotified - t0) / 1e6;
                notifiedToStart[i] = tNotified == null ? Double.NaN : (tStart - tNotified) / 1e6;
            }
        }
        events.unsubscribe(listener);
        Cpu cpu = cpu0.until(CpuSample.take());
        latencyMode = false;
        notifiedAt.clear();
        awaitIdle(a, b);
        stopAll();
        Arrays.sort(lat);
        Arrays.sort(enq);
        long missing = Arrays.stream(notified).filter(Double::isNaN).count();
        notified = Arrays.stream(notified).filter(d -> !Double.isNaN(d)).sorted().toArray();
        notifiedToStart = Arrays.stream(notifiedToStart).filter(d -> !Double.isNaN(d)).sorted().toArray();
        Map<String, Long> share = new TreeMap<>();
        ranBy.forEach((w, c) -> share.put(w, c.sum()));
        Latency l = new Latency(samples, pct(lat, 50), pct(lat, 90), pct(lat, 99), lat[samples - 1],
                pct(enq, 50), pct(enq, 99), pct(notified, 50), pct(notified, 99),
                pct(notifiedToStart, 50), pct(notifiedToStart, 99), share);
        line("pickup latency (NOTIFY, idle pools 2 x %d, one job at a time, %d samples after %d warm-up):",
                concurrency, samples, warmup);
        line("  enqueue call -> handler start: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                l.p50(), l.p90(), l.p99(), l.max());
        line("  of which the enqueue call itself (INSERT + pg_notify + commit): p50 %.2f ms, p99 %.2f ms",
                l.enqueueP50(), l.enqueueP99());
        line("  enqueue call -> NOTIFY delivered to this JVM's listener: p50 %.2f ms, p99 %.2f ms%s",
                l.notifiedP50(), l.notifiedP99(), missing == 0 ? "" : " (" + missing + " jobs had started before their notification was seen: not counted here)");
        line("  NOTIFY delivered -> handler start (wake dispatcher, claim transaction, hand to a slot): p50 %.2f ms, p99 %.2f ms",
                l.notifiedToStartP50(), l.notifiedToStartP99());
        line("  picked up by %s; CPU (%% of all CPUs): %.0f%% busy = JVM %.0f%% + PostgreSQL %.0f%% + other %.0f%%",
                shares(share, samples), cpu.machineBusyPct(), cpu.jvmPct(), cpu.postgresPct(), cpu.otherPct());
        maxOtherCpu = Math.max(maxOtherCpu, cpu.otherPct());
        if (cpu.otherPct() > 10) {
            line("  WARNING: other processes used %.0f%% of the CPUs during this phase: the figures are not clean", cpu.otherPct());
        }
        return l;
    }

    private static void awaitIdle(JobWorker a, JobWorker b) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (a.inFlight() + b.inFlight() > 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pools still busy after 10 s");
            }
            Thread.sleep(0, 200_000);
        }
    }

    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    // ---------------------------------------------------------------- helpers

    private void stopAll() {
        for (JobWorker w : started) {
            w.stop(Duration.ofSeconds(5));
        }
        started.clear();
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private String serverVersion() throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 'PostgreSQL ' || current_setting('server_version')"
                     + " || ', synchronous_commit=' || current_setting('synchronous_commit')"
                     + " || ', shared_buffers=' || current_setting('shared_buffers')")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Prints a report line (to stdout, which surefire shows) and keeps it for target/bench/queue-report.txt. */
    private void line(String format, Object... args) {
        String s = String.format(Locale.ROOT, format, args);
        System.out.println(s);
        report.append(s).append('\n');
    }

    private static String prop(String name, String def) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? def : v;
    }

    /** Machine-wide busy time from /proc/stat, PostgreSQL's processes' and this JVM's CPU time (Linux). */
    record CpuSample(long nanos, long totalJiffies, long idleJiffies, long jvmCpuNanos, long postgresJiffies) {
        static CpuSample take() {
            long total = 0;
            long idle = 0;
            long pg = 0;
            try {
                String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
                for (int i = 1; i < f.length && i <= 8; i++) {
                    long v = Long.parseLong(f[i]);
                    total += v;
                    if (i == 4 || i == 5) { // idle, iowait
                        idle += v;
                    }
                }
                try (var procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                    for (Path p : procs) {
                        try {
                            String stat = Files.readString(p.resolve("stat"));
                            int close = stat.lastIndexOf(')');
                            if (!stat.substring(stat.indexOf('(') + 1, close).startsWith("postgres")) {
                                continue;
                            }
                            String[] g = stat.substring(close + 2).split(" ");
                            pg += Long.parseLong(g[11]) + Long.parseLong(g[12]); // utime, stime
                        } catch (IOException | RuntimeException gone) {
                            // the process exited meanwhile
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux: CPU figures read 0
            }
            long jvm = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                    ? os.getProcessCpuTime() : 0;
            return new CpuSample(System.nanoTime(), total, idle, jvm, pg);
        }

        Cpu until(CpuSample end) {
            long total = end.totalJiffies - totalJiffies;
            long busy = total - (end.idleJiffies - idleJiffies);
            double wallCpuNanos = (end.nanos - nanos) * (double) Runtime.getRuntime().availableProcessors();
            double jvmPct = wallCpuNanos <= 0 ? 0 : 100.0 * (end.jvmCpuNanos - jvmCpuNanos) / wallCpuNanos;
            double pgPct = total <= 0 ? 0 : 100.0 * (end.postgresJiffies - postgresJiffies) / total;
            double busyPct = total <= 0 ? 0 : 100.0 * busy / total;
            return new Cpu(busyPct, jvmPct, pgPct, Math.max(0, busyPct - jvmPct - pgPct));
        }
    }
}
