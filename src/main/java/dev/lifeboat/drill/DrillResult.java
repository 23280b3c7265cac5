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
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DrillResult(UUID backupId, boolean passed, Double restoreSeconds, String reason, List<Check> checks) {
}
