package dev.lifeboat.retention;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * What a prune did.
 *
 * @param rules   the rules as configured (see {@code RetentionRules.describe})
 * @param kept    backups kept
 * @param deleted ids of the backups deleted
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record PruneResult(String target, Map<String, Object> rules, int kept, List<String> deleted) {
}
