package dev.lifeboat.backup;

import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

/** A {@code backup} job has no arguments: it backs up its target as configured. JSON: {@code {}}. */
public record BackupArgs() implements JobArgs {
    @Override
    public String kind() {
        return JobKind.BACKUP.id();
    }
}
