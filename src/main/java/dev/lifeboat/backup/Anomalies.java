package dev.lifeboat.backup;

import dev.lifeboat.config.LifeboatConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Compares a new backup with the previous one of its target: a table that lost more than
 * {@code lifeboat.anomaly.row-drop-fraction} of its rows (only tables that had more than
 * {@code min-rows}), a table that disappeared, or a dump smaller by more than
 * {@code size-drop-fraction}. Such a backup is still a good copy of the database; the warnings say the
 * database itself may have lost data (the Vivaldi Social account loss would have shown here).
 */
public final class Anomalies {
    private Anomalies() {
    }

    public static List<String> find(Backup previous, Map<String, Long> rowCounts, long sizeBytes, LifeboatConfig.Anomaly settings) {
        List<String> warnings = new ArrayList<>();
        Map<String, Long> before = previous.rowCounts == null ? Map.of() : previous.rowCounts;
        for (String table : new TreeSet<>(before.keySet())) {
            long had = before.get(table);
            if (had <= settings.minRows()) {
                continue;
            }
            Long now = rowCounts.get(table);
            if (now == null) {
                warnings.add(String.format("table %s is gone (it had %,d rows in backup %s)", table, had, previous.id));
            } else if (now < had * (1 - settings.rowDropFraction())) {
                warnings.add(String.format("table %s has %,d rows, %.1f %% fewer than the %,d of backup %s", table, now,
                        100.0 * (had - now) / had, had, previous.id));
            }
        }
        if (previous.sizeBytes > 0 && sizeBytes < previous.sizeBytes * (1 - settings.sizeDropFraction())) {
            warnings.add(String.format("the dump is %,d bytes, %.0f %% smaller than the %,d of backup %s", sizeBytes,
                    100.0 * (previous.sizeBytes - sizeBytes) / previous.sizeBytes, previous.sizeBytes, previous.id));
        }
        return warnings;
    }
}
