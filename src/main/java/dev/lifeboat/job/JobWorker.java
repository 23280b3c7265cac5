package dev.lifeboat.job;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One replica's worker pool: a dispatcher thread claims due jobs while it has free slots, a fixed
 * pool of threads runs their handlers, a completer thread records successes in batches, and a
 * heartbeat thread renews leases, stores progress and passes cancel requests on. Several pools may share one table (that is what replicas are); the
 * claim statement makes sure each job runs once at a time.
 */
public final class JobWorker {
    private static final Logger LOG = Logger.getLogger(JobWorker.class);
    /**
     * One line when a handler starts and one when it returned, per attempt ({@code dev.lifeboat.job.attempts} at
     * DEBUG): bench/chaos.sh reads them to prove that no job ever had two attempts running at once.
     */
    private static final Logger ATTEMPTS = Logger.getLogger("dev.lifeboat.job.attempts");

    /** Tuning of one pool. */
    public record Settings(int concurrency, Duration lease, Duration pollInterval, Duration retryBackoff,
                           Duration retryBackoffMax, Duration heartbeatInterval) {
        /**
         * How long before its lease would run out an unrenewed job is stopped: a quarter of the lease,
         * at least two heartbeats, at most half the lease (15 s of the default 60 s). It covers the time
         * to kill the job's child processes and some clock difference between replicas.
         */
        public Duration leaseSafetyMargin() {
            Duration m = lease.dividedBy(4);
            if (m.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
                m = heartbeatInterval.multipliedBy(2);
            }
            return m.compareTo(lease.dividedBy(2)) > 0 ? lease.dividedBy(2) : m;
        }
    }

    private final String workerId;
    private final JobQueue queue;
    private final JobEvents events;
    private final Map<String, JobHandler<?, ?>> handlers;
    private final Settings settings;
    private final MeterRegistry metrics;
    private final Map<UUID, JobContext> inFlight = new ConcurrentHashMap<>();
    private final AtomicInteger reserved = new AtomicInteger();
    private final Semaphore wakeup = new Semaphore(0);
    /** Succeeded jobs whose success is not recorded yet; they stay in {@link #inFlight} (and keep their lease) until it is. */
    private final LinkedBlockingQueue<Pending> completions = new LinkedBlockingQueue<>();
    private final Consumer<JobEvents.Event> listener = this::onEvent;
    private ExecutorService runners;
    private Thread dispatcher;
    private Thread heartbeat;
    private Thread completer;
    private volatile boolean running;
    private volatile boolean crashed;

    public JobWorker(String workerId, JobQueue queue, JobEvents events, Map<String, JobHandler<?, ?>> handlers,
                     Settings settings, MeterRegistry metrics) {
        this.workerId = workerId;
        this.queue = queue;
        this.events = events;
        this.handlers = Map.copyOf(handlers);
        this.settings = settings;
        this.metrics = metrics;
    }

    public String workerId() {
        return workerId;
    }

    public Set<String> kinds() {
        return handlers.keySet();
    }

    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        AtomicInteger n = new AtomicInteger();
        runners = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "lifeboat-job-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        events.subscribe(listener);
        dispatcher = new Thread(this::dispatchLoop, "lifeboat-dispatcher");
        dispatcher.setDaemon(true);
        dispatcher.start();
        completer = new Thread(this::completeLoop, "lifeboat-completer");
        completer.setDaemon(true);
        completer.start();
        heartbeat = new Thread(this::heartbeatLoop, "lifeboat-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
        LOG.infof("worker %s started: %d slots for kinds %s", workerId, settings.concurrency(), kinds());
    }

    /**
     * Stops claiming, tells running handlers to stop, waits up to {@code grace} for them and puts
     * their jobs back in the queue (without spending an attempt) so another replica takes them now
     * rather than after the lease expires.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
        }
        events.unsubscribe(listener);
        dispatcher.interrupt();
        for (JobContext ctx : inFlight.values()) {
            ctx.stop(JobContext.StopReason.SHUTDOWN);
        }
        runners.shutdown();
        try {
            if (!runners.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                runners.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Record the successes still waiting for the completer, then give the rest back to the queue.
        completer.interrupt();
        try {
            completer.join(grace.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushCompletions();
        heartbeat.interrupt();
        for (UUID id : inFlight.keySet()) {
            releaseQuietly(id);
        }
        LOG.infof("worker %s stopped", workerId);
    }

    /**
     * Simulates a crash (kill -9) in tests: threads stop at once, nothing is written to the job table,
     * so this pool's jobs keep their expired-to-be leases until a rescuer returns them to the queue.
     */
    public void crash() {
        crashed = true;
        running = false;
        events.unsubscribe(listener);
        dispatcher.interrupt();
        heartbeat.interrupt();
        completer.interrupt();
        runners.shutdownNow();
    }

    public int inFlight() {
        return inFlight.size();
    }

    /** Wakes the dispatcher to look for work now. */
    public void wake() {
        if (wakeup.availablePermits() == 0) {
            wakeup.release();
        }
    }

    private void onEvent(JobEvents.Event e) {
        switch (e.type()) {
            case QUEUED -> wake();
            // A job that leaves "running" may unblock a queued job of the same target.
            case FINISHED, RELEASED -> {
                if (e.target() != null) {
                    wake();
                }
            }
            case CANCEL -> {
                JobContext ctx = inFlight.get(e.jobId());
                if (ctx != null) {
                    ctx.stop(JobContext.StopReason.CANCEL_REQUESTED);
                }
            }
        }
    }

    private void dispatchLoop() {
        long errorBackoff = 100;
        while (running) {
            try {
                int free = settings.concurrency() - reserved.get();
                int claimed = 0;
                if (free > 0) {
                    List<Job> jobs = queue.claim(workerId, kinds(), free, settings.lease());
                    claimed = jobs.size();
                    for (Job job : jobs) {
                        reserved.incrementAndGet();
                        JobContext ctx = new JobContext(job, workerId, settings.lease(), () -> queue.holdsLease(job.id, workerId));
                        inFlight.put(job.id, ctx);
                        runners.execute(() -> execute(ctx));
                    }
                }
                errorBackoff = 100;
                if (claimed > 0 && claimed == free) {
                    continue; // there may be more
                }
                wakeup.tryAcquire(settings.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeup.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                if (!running) {
                    return;
                }
                LOG.warnf("claiming jobs failed (%s); retrying in %d ms", t.getMessage(), errorBackoff);
                try {
                    Thread.sleep(errorBackoff);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                errorBackoff = Math.min(errorBackoff * 2, 5_000);
            }
        }
    }

    /** Runs one claimed job and records its outcome. Nothing escapes: any Throwable is a failure. */
    private void execute(JobContext ctx) {
        Job job = ctx.job();
        ATTEMPTS.debugf("attempt start job=%s kind=%s attempt=%d worker=%s", job.id, job.kind, job.attempt, workerId);
        Timer.Sample sample = Timer.start(metrics);
        String outcomeTag = "unknown";
        boolean handedToCompleter = false;
        try {
            if (job.cancelRequestedAt != null) {
                ctx.stop(JobContext.StopReason.CANCEL_REQUESTED);
            }
            JobOutcome<?> outcome;
            JobHandler<?, ?> handler = handlers.get(job.kind);
            if (ctx.isCancelled()) {
                outcome = JobOutcome.giveUp("cancelled before it started");
            } else {
                try {
                    outcome = run(handler, ctx);
                    if (outcome == null) {
                        outcome = JobOutcome.retry("handler " + handler.getClass().getSimpleName() + " returned no outcome");
                    }
                } catch (PermanentJobException e) {
                    outcome = JobOutcome.giveUp(message(e));
                } catch (JobCancelledException e) {
                    outcome = JobOutcome.giveUp(message(e));
                } catch (InterruptedException e) {
                    outcome = JobOutcome.retry("interrupted");
                } catch (Throwable t) {
                    if (!ctx.isCancelled()) {
                        LOG.errorf(t, "job %s (%s) attempt %d failed", job.id, job.kind, job.attempt);
                    }
                    outcome = JobOutcome.retry(message(t));
                }
            }
            if (crashed) {
                return; // a crashed process records nothing
            }
            if (outcome instanceof JobOutcome.Succeeded<?> s) {
                // Work that finished is reported as done, even if a cancel request arrived too late to stop it.
                completions.add(new Pending(ctx, s.result()));
                handedToCompleter = true;
                outcomeTag = "succeeded";
            } else {
                outcomeTag = record(ctx, outcome);
            }
        } catch (Throwable t) {
            // Recording failed (database down?). The lease will expire and a rescuer takes it from here.
            LOG.errorf(t, "could not record the outcome of job %s; its lease will expire and it will be rescued", job.id);
            outcomeTag = "unrecorded";
        } finally {
            if (!handedToCompleter) {
                inFlight.remove(job.id);
            }
            int free = settings.concurrency() - reserved.decrementAndGet();
            sample.stop(metrics.timer("lifeboat.job.duration", "kind", job.kind, "outcome", outcomeTag));
            ATTEMPTS.debugf("attempt end job=%s kind=%s attempt=%d worker=%s outcome=%s", job.id, job.kind, job.attempt, workerId, outcomeTag);
            // Claim again now if half the slots are free; otherwise the completer's next flush wakes the
            // dispatcher, so a busy pool claims several jobs per transaction rather than one per slot.
            if (!handedToCompleter || free >= Math.max(1, settings.concurrency() / 2)) {
                wake();
            }
        }
    }

    /** Reads the job's arguments as the handler's record (JSON that does not fit fails the job for good) and runs it. */
    private <A extends JobArgs> JobOutcome<?> run(JobHandler<A, ?> handler, JobContext ctx) throws Exception {
        A args = queue.args(ctx.job(), handler.argsType());
        return handler.run(ctx, args);
    }

    private String record(JobContext ctx, JobOutcome<?> outcome) {
        Job job = ctx.job();
        JobContext.StopReason stop = ctx.stopReason();
        boolean held;
        String tag;
        if (stop == JobContext.StopReason.CANCEL_REQUESTED) {
            held = queue.cancelled(job.id, workerId);
            tag = "cancelled";
        } else if (stop == JobContext.StopReason.SHUTDOWN) {
            held = queue.release(job.id, workerId);
            tag = "released";
        } else if (stop == JobContext.StopReason.LEASE_LOST) {
            LOG.warnf("job %s lost its lease while running; its outcome is discarded", job.id);
            return "lease_lost";
        } else if (outcome instanceof JobOutcome.Retry<?> r && job.attempt < job.maxAttempts) {
            Instant next = queue.now().plus(backoff(job.attempt));
            held = queue.retry(job.id, workerId, r.error(), next);
            tag = "retried";
            LOG.infof("job %s (%s) attempt %d of %d failed: %s; next attempt at %s",
                    job.id, job.kind, job.attempt, job.maxAttempts, r.error(), next);
        } else {
            String error = outcome instanceof JobOutcome.Retry<?> r ? r.error() : ((JobOutcome.GiveUp<?>) outcome).error();
            held = queue.fail(job.id, workerId, error);
            tag = "failed";
            LOG.warnf("job %s (%s) failed: %s", job.id, job.kind, error);
        }
        if (!held) {
            LOG.warnf("job %s was no longer held by %s when its outcome (%s) was recorded; discarded", job.id, workerId, tag);
            return "lease_lost";
        }
        return tag;
    }

    /**
     * Exponential backoff with ±20 % jitter: retryBackoff × 2^(attempt-1), never above retryBackoffMax.
     * Jitter spreads retries of jobs that failed together (a database restart) over time.
     */
    Duration backoff(int attempt) {
        long base = settings.retryBackoff().toMillis();
        long max = settings.retryBackoffMax().toMillis();
        long exp = base << Math.min(Math.max(attempt - 1, 0), 20);
        double jitter = 0.8 + ThreadLocalRandom.current().nextDouble() * 0.4;
        long delay = (long) ((exp <= 0 ? max : exp) * jitter);
        return Duration.ofMillis(Math.max(1, Math.min(delay, max)));
    }

    private record Pending(JobContext ctx, Object result) {
    }

    /** Most successes recorded in one transaction. */
    private static final int MAX_BATCH = 500;

    /**
     * Records successes in batches: it takes whatever has accumulated, writes it in one transaction
     * (one UPDATE, one NOTIFY per ~60 jobs) and repeats. There is no timer: when the pool is quiet a
     * success is written at once; when it is busy, successes pile up while the previous batch commits,
     * so batches grow with the load (group commit). If the database is unreachable the batch is kept
     * and retried; the jobs keep their leases meanwhile, so they are not run twice.
     */
    private void completeLoop() {
        List<Pending> batch = new ArrayList<>();
        long errorBackoff = 100;
        // Runs until stop() interrupts it after the handlers ended (or a crash), not merely until running
        // turns false: successes of handlers finishing during the shutdown grace are still recorded.
        while (!crashed) {
            try {
                if (batch.isEmpty()) {
                    batch.add(completions.take());
                }
                completions.drainTo(batch, MAX_BATCH - batch.size());
                if (crashed) {
                    return;
                }
                recordSuccesses(batch);
                batch.clear();
                errorBackoff = 100;
            } catch (InterruptedException e) {
                completions.addAll(batch); // stop() flushes them
                return;
            } catch (Throwable t) {
                LOG.warnf("recording %d succeeded job(s) failed (%s); retrying in %d ms", batch.size(), t.getMessage(), errorBackoff);
                try {
                    Thread.sleep(errorBackoff);
                } catch (InterruptedException e) {
                    completions.addAll(batch);
                    return;
                }
                errorBackoff = Math.min(errorBackoff * 2, 5_000);
            }
        }
        completions.addAll(batch);
    }

    /** Writes every success still waiting (at shutdown, after the completer stopped). */
    private void flushCompletions() {
        List<Pending> rest = new ArrayList<>();
        completions.drainTo(rest);
        for (int i = 0; i < rest.size(); i += MAX_BATCH) {
            List<Pending> batch = rest.subList(i, Math.min(rest.size(), i + MAX_BATCH));
            try {
                recordSuccesses(batch);
            } catch (RuntimeException e) {
                LOG.warnf("could not record %d succeeded job(s) at shutdown (%s); they will be rescued and run again after their lease",
                        batch.size(), e.getMessage());
                for (Pending p : batch) {
                    inFlight.remove(p.ctx().jobId()); // not released either: the lease decides
                }
            }
        }
    }

    private void recordSuccesses(List<Pending> batch) {
        List<JobQueue.Completion> list = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            list.add(new JobQueue.Completion(p.ctx().jobId(), p.result()));
        }
        Set<UUID> held = queue.completeAll(workerId, list);
        for (Pending p : batch) {
            UUID id = p.ctx().jobId();
            if (!held.contains(id)) {
                LOG.warnf("job %s was no longer held by %s when its success was recorded (its lease expired and it was rescued); discarded",
                        id, workerId);
            }
            inFlight.remove(id);
        }
        wake();
    }

    private void heartbeatLoop() {
        long interval = settings.heartbeatInterval().toMillis();
        while (running) {
            try {
                Thread.sleep(interval);
                beat();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                LOG.warnf("heartbeat of worker %s failed: %s", workerId, t.getMessage());
            }
            stopJobsWhoseLeaseRunsOut();
        }
    }

    /**
     * A job whose lease could not be renewed (Lifeboat's database unreachable from this replica) is
     * stopped shortly before the lease runs out, the safety margin before another replica's rescuer may
     * hand it to someone else: its child processes are killed and nothing is recorded (the database is
     * not reachable anyway). So two attempts of one job never run at once, even when this replica can
     * still reach the target but not the queue.
     */
    void stopJobsWhoseLeaseRunsOut() {
        for (JobContext ctx : inFlight.values()) {
            if (!ctx.isCancelled() && ctx.leaseRunningOut(settings.leaseSafetyMargin())) {
                LOG.errorf("job %s (%s): its lease could not be renewed and runs out within %s; stopping it so that no other"
                        + " replica's attempt runs beside it", ctx.jobId(), ctx.kind(), settings.leaseSafetyMargin());
                ctx.stop(JobContext.StopReason.LEASE_LOST);
            }
        }
    }

    /** Renews leases, stores progress and relays cancel requests. Visible for tests. */
    void beat() {
        if (inFlight.isEmpty()) {
            return;
        }
        Set<UUID> ids = Set.copyOf(inFlight.keySet());
        for (UUID id : ids) {
            JobContext ctx = inFlight.get(id);
            JobProgress p = ctx == null ? null : ctx.takeDirtyProgress();
            if (p != null) {
                queue.progress(id, workerId, p);
            }
        }
        long asked = System.nanoTime();
        JobQueue.Heartbeat hb = queue.heartbeat(workerId, ids, settings.lease());
        for (UUID id : hb.held()) {
            JobContext ctx = inFlight.get(id);
            if (ctx != null) {
                ctx.leaseRenewed(asked, settings.lease());
            }
        }
        for (UUID id : hb.cancelRequested()) {
            JobContext ctx = inFlight.get(id);
            if (ctx != null) {
                ctx.stop(JobContext.StopReason.CANCEL_REQUESTED);
            }
        }
        Set<UUID> held = Set.copyOf(hb.held());
        for (UUID id : ids) {
            JobContext ctx = inFlight.get(id);
            // Not renewed and still running here: another replica rescued it after our lease expired.
            if (ctx != null && !held.contains(id)) {
                ctx.stop(JobContext.StopReason.LEASE_LOST);
            }
        }
    }

    private void releaseQuietly(UUID id) {
        try {
            queue.release(id, workerId);
        } catch (RuntimeException e) {
            LOG.warnf("could not release job %s at shutdown (%s); the rescuer will return it after its lease", id, e.getMessage());
        }
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}
