package dev.lifeboat.storage;

import dev.lifeboat.config.LifeboatConfig;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.function.BooleanSupplier;

/**
 * One budget for the part buffers of every S3 upload of this replica, so memory stays bounded however
 * many backups and copies run at once: each copy of each running backup would otherwise hold up to
 * {@code upload-concurrency + 1} parts. A writer that needs a buffer waits while the budget is spent
 * and some part is on its way to S3 (it will give its memory back); if nothing is in flight, waiting
 * could never end (every buffer is a half-filled one of a waiting writer), so it goes ahead over the
 * budget rather than deadlock. So the part buffers of all uploads together stay below the budget plus,
 * at worst, one part per upload being written (without it: {@code upload-concurrency + 1} parts per
 * upload). The budget is {@code lifeboat.backup.upload-memory}; {@link BlobStores} hands this one
 * instance to every S3 store.
 */
@Singleton
public class UploadMemory {
    private final long budget;
    private long used;
    private int partsInFlight;

    /** The replica's budget: {@code lifeboat.backup.upload-memory}, or {@link #defaultBudget()}. */
    @Inject
    public UploadMemory(LifeboatConfig config) {
        this(config.backup().uploadMemory().map(m -> m.asLongValue()).orElseGet(UploadMemory::defaultBudget));
    }

    public UploadMemory(long budget) {
        this.budget = Math.max(1, budget);
    }

    /** A quarter of the maximum heap, at least 64 MiB. */
    public static long defaultBudget() {
        return Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    public long budget() {
        return budget;
    }

    /** Bytes of part buffers allocated now (for tests and metrics). */
    public synchronized long used() {
        return used;
    }

    /** Waits for {@code bytes} of budget (see the class comment); {@code aborted} ends the wait early. */
    synchronized void acquire(long bytes, BooleanSupplier aborted) throws InterruptedException {
        while (used > 0 && used + bytes > budget && partsInFlight > 0 && !aborted.getAsBoolean()) {
            wait(100);
        }
        used += bytes;
    }

    synchronized void release(long bytes) {
        used -= bytes;
        notifyAll();
    }

    synchronized void partStarted() {
        partsInFlight++;
    }

    synchronized void partFinished() {
        partsInFlight--;
        notifyAll();
    }
}
