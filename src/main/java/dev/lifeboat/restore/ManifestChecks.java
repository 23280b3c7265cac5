package dev.lifeboat.restore;

import dev.lifeboat.backup.Manifest;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.SnapshotSession;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** What a restored database holds against what the backup's snapshot held (its manifest). */
public final class ManifestChecks {
    private ManifestChecks() {
    }

    /** Exact row counts per table, and schema object counts when the manifest has them, of a restored database. */
    public static List<Check> compare(PgConnectInfo restoredDb, Manifest manifest) throws SQLException {
        List<Check> checks = new ArrayList<>();
        try (SnapshotSession restored = SnapshotSession.open(restoredDb)) {
            checks.add(compareCounts(manifest.rowCounts(), restored.rowCountsWithParallelWorkers()));
            if (manifest.schemaCounts() != null) {
                boolean same = manifest.schemaCounts().equals(restored.schemaCounts());
                checks.add(new Check("schema objects", same, same
                        ? "as in the backup: " + restored.schemaCounts().describe()
                        : "the backup had " + manifest.schemaCounts().describe() + "; restored: " + restored.schemaCounts().describe()));
            }
        }
        return checks;
    }

    private static Check compareCounts(Map<String, Long> expected, Map<String, Long> actual) {
        List<String> wrong = new ArrayList<>();
        for (String table : new TreeSet<>(expected.keySet())) {
            Long got = actual.get(table);
            if (!Objects.equals(expected.get(table), got)) {
                wrong.add(table + " has " + (got == null ? "no table" : got + " rows") + ", the backup had " + expected.get(table));
            }
        }
        for (String table : actual.keySet()) {
            if (!expected.containsKey(table)) {
                wrong.add(table + " exists, the backup had no such table");
            }
        }
        long rows = actual.values().stream().mapToLong(Long::longValue).sum();
        return wrong.isEmpty()
                ? new Check("row counts", true, expected.size() + " tables, " + rows + " rows, each as counted in the backup's snapshot")
                : new Check("row counts", false, String.join("; ", wrong.subList(0, Math.min(10, wrong.size())))
                        + (wrong.size() > 10 ? " (and " + (wrong.size() - 10) + " more)" : ""));
    }
}
