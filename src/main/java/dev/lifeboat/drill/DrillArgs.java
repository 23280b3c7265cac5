package dev.lifeboat.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.UUID;

/**
 * A {@code drill} job: the backup to prove, and where. JSON: {@code {"backupId": …}} (and {@code "server"}).
 *
 * @param server the server to restore into ({@code lifeboat.servers.<name>}), or null for the target's
 *               {@code drill.server}, else its own server
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DrillArgs(UUID backupId, String server) implements JobArgs {
    public DrillArgs(UUID backupId) {
        this(backupId, null);
    }

    @Override
    public String kind() {
        return JobKind.DRILL.id();
    }
}
