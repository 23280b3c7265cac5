package dev.lifeboat.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a running job is: a phase name and, when known, bytes done out of an estimated total, with the
 * phase's throughput and the time left at that pace when they can be estimated (null otherwise).
 */
public record JobProgress(String phase, Long bytesDone, Long bytesTotal, Long bytesPerSecond, Long etaSeconds) {

    /** A phase must have run this long before its pace is reported: a first second's figure is noise. */
    static final long MIN_NANOS_FOR_RATE = 1_000_000_000L;

    public JobProgress(String phase, Long bytesDone, Long bytesTotal) {
        this(phase, bytesDone, bytesTotal, null, null);
    }

    /**
     * The progress with its pace: the bytes done since the phase began over the time it has run, and the
     * time left for the rest of the estimated total at that pace. No pace for a phase younger than a second
     * or without bytes; no ETA without a total or once the total is passed (the estimate was low).
     */
    static JobProgress withPace(String phase, Long bytesDone, Long bytesTotal, long bytesAtPhaseStart, long nanosInPhase) {
        if (bytesDone == null || nanosInPhase < MIN_NANOS_FOR_RATE || bytesDone <= bytesAtPhaseStart) {
            return new JobProgress(phase, bytesDone, bytesTotal);
        }
        double perSecond = (bytesDone - bytesAtPhaseStart) * 1e9 / nanosInPhase;
        Long eta = bytesTotal == null || bytesTotal < bytesDone ? null : (long) Math.ceil((bytesTotal - bytesDone) / perSecond);
        return new JobProgress(phase, bytesDone, bytesTotal, Math.round(perSecond), eta);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", phase);
        m.put("bytesDone", bytesDone);
        m.put("bytesTotal", bytesTotal);
        m.put("bytesPerSecond", bytesPerSecond);
        m.put("etaSeconds", etaSeconds);
        return m;
    }

    public static JobProgress fromMap(Map<String, Object> m) {
        if (m == null) {
            return null;
        }
        return new JobProgress((String) m.get("phase"), asLong(m.get("bytesDone")), asLong(m.get("bytesTotal")),
                asLong(m.get("bytesPerSecond")), asLong(m.get("etaSeconds")));
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
