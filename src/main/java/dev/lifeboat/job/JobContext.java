package dev.lifeboat.job;

import org.jboss.logging.Logger;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * What a handler sees of its job besides its arguments: identity, a cancellation signal and a progress sink.
 * Cancellation comes from an API cancel request, a lost lease, or replica shutdown; handlers react
 * the same way to each (stop, kill child processes, clean up), the worker decides what to record.
 */
public final class JobContext {
    private static final Logger LOG = Logger.getLogger(JobContext.class);

    /** Why a running job was told to stop. */
    public enum StopReason {
        /** Someone asked to cancel it through the API: record {@code cancelled}. */
        CANCEL_REQUESTED,
        /**
         * Another replica may already run it: our lease expired, or could not be renewed (Lifeboat's
         * database unreachable) until shortly before it would: record nothing.
         */
        LEASE_LOST,
        /** This replica is shutting down: put the job back in the queue. */
        SHUTDOWN
    }

    private final Job job;
    private final String workerId;
    private final AtomicReference<StopReason> stopReason = new AtomicReference<>();
    private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<JobProgress> progress = new AtomicReference<>();
    private volatile boolean progressDirty;
    /** System.nanoTime() until which this worker's lease surely holds: renewed by each successful heartbeat. */
    private volatile long leaseHeldUntilNanos;
    private final BooleanSupplier leaseCheck;

    JobContext(Job job, String workerId) {
        this(job, workerId, Duration.ofDays(1), () -> true);
    }

    /**
     * @param lease      the lease the claim just took (counted from now, on this replica's monotonic clock)
     * @param leaseCheck asks Lifeboat's database whether this worker still holds the job's lease
     */
    JobContext(Job job, String workerId, Duration lease, BooleanSupplier leaseCheck) {
        this.job = job;
        this.workerId = workerId;
        this.leaseHeldUntilNanos = System.nanoTime() + lease.toNanos();
        this.leaseCheck = leaseCheck;
    }

    /** The worker (replica) running this attempt. */
    public String workerId() {
        return workerId;
    }

    public UUID jobId() {
        return job.id;
    }

    public String kind() {
        return job.kind;
    }

    public String target() {
        return job.target;
    }

    public int attempt() {
        return job.attempt;
    }

    public int maxAttempts() {
        return job.maxAttempts;
    }

    public boolean isCancelled() {
        return stopReason.get() != null;
    }

    public StopReason stopReason() {
        return stopReason.get();
    }

    /**
     * Asks Lifeboat's database, now, whether this attempt still holds the job's lease (and no cancel
     * stopped it), for a step that must not run twice at once, e.g. a replace restore's swap. False
     * when the database cannot be asked: then another replica may take the job over.
     */
    public boolean confirmLease() {
        if (isCancelled()) {
            return false;
        }
        try {
            return leaseCheck.getAsBoolean();
        } catch (RuntimeException e) {
            LOG.warnf("could not confirm the lease of job %s (%s)", job.id, e.getMessage());
            return false;
        }
    }

    /** The heartbeat renewed the lease, at {@code renewedAtNanos} (taken before it asked), for {@code lease}. */
    void leaseRenewed(long renewedAtNanos, Duration lease) {
        leaseHeldUntilNanos = renewedAtNanos + lease.toNanos();
    }

    /** Whether the lease runs out within {@code margin} (or already did) without having been renewed. */
    boolean leaseRunningOut(Duration margin) {
        return System.nanoTime() > leaseHeldUntilNanos - margin.toNanos();
    }

    /** Throws {@link JobCancelledException} if the job was told to stop; call between phases. */
    public void throwIfCancelled() {
        if (isCancelled()) {
            throw new JobCancelledException(stopReason.get());
        }
    }

    /** Waits up to the given time for a stop signal; returns true if the job was told to stop. */
    public boolean awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        return stopped.await(timeout, unit);
    }

    /**
     * Registers an action run (once) when the job is told to stop, e.g. destroying a child process.
     * Runs immediately if the job is already stopping.
     */
    public void onCancel(Runnable action) {
        onCancel.add(action);
        if (isCancelled() && onCancel.remove(action)) {
            runQuietly(action);
        }
    }

    /**
     * Reports progress; the worker writes it to the job row at most about once a second. The pace
     * (bytes per second, ETA) is measured from the first report of the phase.
     */
    public void progress(String phase, Long bytesDone, Long bytesTotal) {
        progress(phase, bytesDone, bytesTotal, System.nanoTime());
    }

    /** {@link #progress(String, Long, Long)} at {@code now} (System.nanoTime()); visible for tests. */
    void progress(String phase, Long bytesDone, Long bytesTotal, long now) {
        PhaseStart start = phaseStart;
        if (start == null || !Objects.equals(start.phase(), phase) || bytesDone == null || start.bytes() > bytesDone) {
            start = new PhaseStart(phase, bytesDone == null ? 0 : bytesDone, now);
            phaseStart = start;
        }
        progress.set(JobProgress.withPace(phase, bytesDone, bytesTotal, start.bytes(), now - start.nanos()));
        progressDirty = true;
    }

    private record PhaseStart(String phase, long bytes, long nanos) {
    }

    private volatile PhaseStart phaseStart;

    JobProgress takeDirtyProgress() {
        if (!progressDirty) {
            return null;
        }
        progressDirty = false;
        return progress.get();
    }

    Job job() {
        return job;
    }

    /** Signals the handler to stop; the first reason wins. */
    void stop(StopReason reason) {
        if (stopReason.compareAndSet(null, reason)) {
            stopped.countDown();
            for (Runnable r : onCancel) {
                if (onCancel.remove(r)) {
                    runQuietly(r);
                }
            }
        }
    }

    private static void runQuietly(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("cancel action failed", e);
        }
    }
}
