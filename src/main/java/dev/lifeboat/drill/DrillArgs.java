package dev.lifeboat.drill;

import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.UUID;

/** A {@code drill} job: the backup to prove. JSON: {@code {"backupId": …}}. */
public record DrillArgs(UUID backupId) implements JobArgs {
    @Override
    public String kind() {
        return JobKind.DRILL.id();
    }
}
