package dev.lifeboat.backup;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.UUID;

/**
 * What a succeeded {@code backup} job produced (its {@code result} JSON; field names are a contract).
 *
 * @param locations {@code <storage>:<key>} of each stored copy of the dump
 * @param warnings  anomalies against the target's previous backup; empty when none
 * @param pinned    with warnings: the previous backup, pinned so that retention keeps it; absent otherwise
 * @param millis    where the time went
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record BackupResult(UUID backupId, long sizeBytes, String sha256, boolean encrypted, int tables, long rows,
                           List<String> locations, List<String> warnings,
                           @JsonInclude(JsonInclude.Include.NON_NULL) UUID pinned, Millis millis) {

    /**
     * @param preflight         everything before pg_dump started: {@code connect}, {@code sweep}, {@code snapshot}, and
     *                          the uploads opened
     * @param dump              the dump stream: pg_dump through compression and encryption to every storage
     * @param commitAndReadBack uploads committed and each copy checked
     * @param finish            roles file, comparison with the previous backup, manifest and catalog row
     * @param connect           target and server checked, tools chosen
     * @param sweep             waiting for the removal of what interrupted backups of the target left in the storages
     *                          (it runs beside {@code connect} and {@code snapshot})
     * @param snapshot          the exported snapshot taken (and the schema counts in it)
     * @param counts            waiting for row counts after the stream ended (0 when counted in the archive)
     * @param fixed             all but the dump stream: Lifeboat's fixed cost per backup
     */
    @JsonInclude(JsonInclude.Include.NON_NULL) // results written before the finer phases had none: they read and write back unchanged
    public record Millis(long preflight, long dump, long commitAndReadBack, long finish, Long connect, Long sweep, Long snapshot,
                         Long counts, Long fixed) {
        static Millis of(PhaseTimer t) {
            long preflight = t.millis("connect") + t.millis("sweep") + t.millis("snapshot") + t.millis("open");
            return new Millis(preflight, t.millis("dump"), t.millis("check"), t.millis("finish"), t.millis("connect"), t.millis("sweep"),
                    t.millis("snapshot"), t.millis("counts"), t.totalMillis() - t.millis("dump"));
        }
    }

    public List<String> warnings() {
        return warnings == null ? List.of() : warnings;
    }
}
