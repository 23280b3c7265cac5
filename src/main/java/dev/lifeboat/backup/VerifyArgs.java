package dev.lifeboat.backup;

import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

import java.util.UUID;

/** A {@code verify} job: the backup whose stored copies are read back. JSON: {@code {"backupId": …}}. */
public record VerifyArgs(UUID backupId) implements JobArgs {
    @Override
    public String kind() {
        return JobKind.VERIFY.id();
    }
}
