package dev.lifeboat.backup;

import java.util.HashMap;
import java.util.Map;

/** Where a backup's time went: the milliseconds of each phase, measured from one mark to the next. */
final class PhaseTimer {
    private final long start = System.nanoTime();
    private long last = start;
    private final Map<String, Long> nanos = new HashMap<>();

    /** Ends {@code phase} now: the time since the previous mark is added to it. */
    void mark(String phase) {
        long now = System.nanoTime();
        nanos.merge(phase, now - last, Long::sum);
        last = now;
    }

    long millis(String phase) {
        return nanos.getOrDefault(phase, 0L) / 1_000_000;
    }

    long totalMillis() {
        return (last - start) / 1_000_000;
    }
}
