package dev.lifeboat.job;

import java.util.Locale;

/** Thrown by {@link JobContext#throwIfCancelled()}; the worker records the stop according to its reason. */
public class JobCancelledException extends RuntimeException {
    public JobCancelledException(JobContext.StopReason reason) {
        super("job stopped: " + reason.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
}
