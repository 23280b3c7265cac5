package dev.lifeboat.retention;

import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

/** A {@code prune} job has no arguments: it applies its target's retention rules. JSON: {@code {}}. */
public record PruneArgs() implements JobArgs {
    @Override
    public String kind() {
        return JobKind.PRUNE.id();
    }
}
