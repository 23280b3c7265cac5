package dev.lifeboat.job;

import java.util.LinkedHashMap;
import java.util.Map;

/** Where a running job is: a phase name and, when known, bytes done out of an estimated total. */
public record JobProgress(String phase, Long bytesDone, Long bytesTotal) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("phase", phase);
        m.put("bytesDone", bytesDone);
        m.put("bytesTotal", bytesTotal);
        return m;
    }

    public static JobProgress fromMap(Map<String, Object> m) {
        if (m == null) {
            return null;
        }
        return new JobProgress((String) m.get("phase"), asLong(m.get("bytesDone")), asLong(m.get("bytesTotal")));
    }

    private static Long asLong(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
