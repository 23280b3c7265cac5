package dev.lifeboat.job;

import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of job Lifeboat runs, named once. The name ({@link #id()}) is what the job row, the API
 * and the NOTIFY payloads carry; each kind has one arguments record ({@link JobArgs}) and one handler
 * ({@link JobHandler}). The queue itself is not limited to these: tests run kinds of their own.
 */
public enum JobKind {
    /** pg_dump of a target into every storage of the target ({@code backup.BackupHandler}). */
    BACKUP,
    /** pg_restore of a backup into a new database or in place of the target's ({@code restore.RestoreHandler}). */
    RESTORE,
    /** A restore into a scratch database that proves a backup restores ({@code drill.DrillHandler}). */
    DRILL,
    /** Reads every stored copy of a backup back ({@code backup.VerifyHandler}). */
    VERIFY,
    /** Deletes the backups a target's retention rules do not keep ({@code retention.PruneHandler}). */
    PRUNE,
    /** Recreates catalog rows from the stored manifests ({@code backup.CatalogRebuildHandler}). */
    CATALOG_REBUILD,
    /** One webhook delivery, on workers of its own ({@code notify.NotifyHandler}). */
    NOTIFY;

    /** {@code backup}, {@code catalog_rebuild}, … as stored in {@code job.kind}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<JobKind> parse(String id) {
        for (JobKind k : values()) {
            if (k.id().equals(id)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
