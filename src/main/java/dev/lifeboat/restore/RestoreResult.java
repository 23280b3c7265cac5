package dev.lifeboat.restore;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.UUID;

/**
 * What a succeeded {@code restore} job did. Fields that do not apply are left out of the JSON.
 *
 * @param server          the server restored to ({@code lifeboat.servers.<name>}); absent for the target's own
 * @param serverVersion   the PostgreSQL version of the server restored to
 * @param storage         the storage whose copy was restored (another one is used when the first is damaged or unreachable)
 * @param globals         when the stored roles were applied: how many statements failed
 * @param checks          replace mode: the checks of the restored copy before the swap
 * @param preRestoreHook  {@code ok} when the pre-restore hook was called
 * @param keptDatabase    replace mode: the name the old database keeps
 * @param postRestoreHook {@code ok} or {@code failed} when the post-restore hook was called
 * @param tables          selective restore: the tables asked for
 * @param schemas         selective restore: the schemas asked for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestoreResult(UUID backupId, String target, RestoreMode mode, String database, String server, String serverVersion,
                            String storage, Globals globals,
                            Double restoreSeconds, List<Check> checks, String preRestoreHook, String keptDatabase,
                            String postRestoreHook, List<String> tables, List<String> schemas, int jobs, List<String> warnings) {

    /** The stored roles applied with psql: statements that failed (usually roles that exist). */
    public record Globals(boolean applied, int errors) {
    }
}
