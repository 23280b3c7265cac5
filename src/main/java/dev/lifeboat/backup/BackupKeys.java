package dev.lifeboat.backup;

import dev.lifeboat.target.Compression;
import dev.lifeboat.target.DumpFormat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Where a backup's objects live inside a store (a store adds its own prefix, e.g. an S3 prefix):
 * {@code <target>/<yyyy>/<mm>/<dd>/<backupId>/} holding the dump, optionally the roles, and
 * {@code manifest.json}, which is written last. The date is the snapshot's, in UTC.
 */
public final class BackupKeys {
    public static final String MANIFEST = "manifest.json";
    public static final String AGE_SUFFIX = ".age";

    private BackupKeys() {
    }

    public static String prefix(String target, OffsetDateTime snapshotTime, UUID backupId) {
        OffsetDateTime t = snapshotTime.withOffsetSameInstant(ZoneOffset.UTC);
        return String.format("%s/%04d/%02d/%02d/%s/", target, t.getYear(), t.getMonthValue(), t.getDayOfMonth(), backupId);
    }

    /**
     * {@code dump.pgc} (custom format) or {@code dump.tar} (directory format as a tar stream), plus {@code .zst}
     * when Lifeboat compressed it with zstd and {@code .age} when encrypted: {@code dump.pgc.zst.age}.
     */
    public static String dumpName(DumpFormat format, Compression.Algorithm compression, boolean encrypted) {
        return (format == DumpFormat.DIRECTORY ? "dump.tar" : "dump.pgc") + compression.suffix() + (encrypted ? AGE_SUFFIX : "");
    }

    /** {@code globals.sql} ({@code pg_dumpall --globals-only}), plus {@code .age} when encrypted. */
    public static String globalsName(boolean encrypted) {
        return "globals.sql" + (encrypted ? AGE_SUFFIX : "");
    }
}
