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
     * @param preflight         connecting, tool and storage checks, leftovers swept, before pg_dump started
     * @param dump              pg_dump streamed through encryption to every storage (and row counts)
     * @param commitAndReadBack uploads committed and each copy read back
     * @param finish            roles file, manifest and catalog row
     */
    public record Millis(long preflight, long dump, long commitAndReadBack, long finish) {
    }

    public List<String> warnings() {
        return warnings == null ? List.of() : warnings;
    }
}
