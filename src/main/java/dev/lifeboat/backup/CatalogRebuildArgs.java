package dev.lifeboat.backup;

import dev.lifeboat.job.JobArgs;
import dev.lifeboat.job.JobKind;

/** A {@code catalog_rebuild} job has no arguments: it reads every storage. JSON: {@code {}}. */
public record CatalogRebuildArgs() implements JobArgs {
    @Override
    public String kind() {
        return JobKind.CATALOG_REBUILD.id();
    }
}
