package dev.lifeboat.job;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * The arguments of one job kind: an immutable record, which the queue stores as the job row's
 * {@code args} JSON and gives back, typed, to the kind's {@link JobHandler}. Field names are a
 * contract (the API shows them, and rows written by an earlier version must still load): add, never
 * rename.
 */
public interface JobArgs {
    /** The kind of job these are the arguments of (the row's {@code kind}); not part of the JSON. */
    @JsonIgnore
    String kind();
}
