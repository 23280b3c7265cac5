package dev.lifeboat.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.restore.Check;

import java.util.List;
import java.util.UUID;

/**
 * A drill's verdict (the result of its job, which succeeds whether the backup passed or not).
 *
 * @param restoreSeconds the restore time (RTO), or null when the restore did not run
 * @param reason         the failed checks, or null when it passed
 * @param versions       where it ran and with what (absent when it did not get that far)
 * @param millis         where the time went (absent when the restore did not run)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DrillResult(UUID backupId, boolean passed, Double restoreSeconds, String reason, List<Check> checks,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Versions versions,
                          @JsonInclude(JsonInclude.Include.NON_NULL) Millis millis) {

    /**
     * @param prepare  the stored object read whole and checked (size, SHA-256), manifest, key proven, leftovers swept,
     *                 scratch database created
     * @param restore  pg_restore (streamed or spooled): {@code restoreSeconds}
     * @param checks   row counts and schema objects against the manifest, sequences, profile and custom checks
     * @param drop     the scratch database dropped
     */
    public record Millis(long prepare, long restore, long checks, long drop) {
    }

    /**
     * The versions a drill proves work together: the source server the backup was taken from, the pg_dump
     * that wrote it, the destination server it was restored into (an upgrade drill: a newer major), and
     * the pg_restore that restored it.
     *
     * @param server the destination's name in {@code lifeboat.servers.*}, or null for the target's own server
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Versions(String server, String sourceServer, String pgDump, String destinationServer, String pgRestore) {
    }
}
