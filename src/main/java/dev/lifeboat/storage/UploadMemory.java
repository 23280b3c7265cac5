package dev.lifeboat.storage;

/**
 * One budget for the part buffers of every S3 upload in this JVM, so memory stays bounded however
 * many backups and copies run at once: each copy of each running backup would otherwise hold up to
 * {@code upload-concurrency + 1} parts. A writer that needs a buffer waits while the budget is spent
 * and some part is on its way to S3 (it will give its memory back); if nothing is in flight, waiting
 * could never end (every buffer is a half-filled one of a waiting writer), so it goes ahead over the
 * budget rather than deadlock. So the part buffers of all uploads together stay below the budget plus,
 * at worst, one part per upload being written (without it: {@code upload-concurrency + 1} parts per
 * upload). Set by {@code lifeboat.backup.upload-memory}.
 */
public final class UploadMemory {
    private static long budget = Math.max(64L << 20, Runtime.getRuntime().maxMemory() / 4);
    private static long used;
    private static int partsInFlight;

    private UploadMemory() {
    }

    public static synchronized void setBudget(long bytes) {
        budget = Math.max(1, bytes);
        UploadMemory.class.notifyAll();
    }

    public static synchronized long budget() {
        return budget;
    }

    /** Bytes of part buffers allocated now (for tests and metrics). */
    public static synchronized long used() {
        return used;
    }

    /** Waits for {@code bytes} of budget (see the class comment); {@code aborted} ends the wait early. */
    static synchronized void acquire(long bytes, java.util.function.BooleanSupplier aborted) throws InterruptedException {
        while (used > 0 && used + bytes > budget && partsInFlight > 0 && !aborted.getAsBoolean()) {
            UploadMemory.class.wait(100);
        }
        used += bytes;
    }

    static synchronized void release(long bytes) {
        used -= bytes;
        UploadMemory.class.notifyAll();
    }

    static synchronized void partStarted() {
        partsInFlight++;
    }

    static synchronized void partFinished() {
        partsInFlight--;
        UploadMemory.class.notifyAll();
    }
}
