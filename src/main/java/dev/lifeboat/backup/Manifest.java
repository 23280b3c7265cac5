package dev.lifeboat.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lifeboat.pg.SnapshotSession;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code manifest.json}: everything needed to trust and restore a backup without Lifeboat (see
 * docs/runbook.md). It is written after every other object of the backup, so a backup directory
 * without it is incomplete and is never listed. Field names are a contract: add, never rename.
 *
 * @param formatVersion   version of this manifest's layout (1)
 * @param backupId        the backup's id (also the last path segment of its directory)
 * @param createdAt       the snapshot time: the moment of the database the dump holds
 * @param finishedAt      when the backup was complete (before the manifest was written)
 * @param format          pg_dump format: {@code custom} ({@code pg_restore} reads the file directly)
 * @param dump            the dump object, as stored (encrypted when {@code encryption} is set)
 * @param globals         roles and tablespaces ({@code pg_dumpall --globals-only --no-role-passwords}), or null
 * @param encryption      how the objects are encrypted, or null when they are not
 * @param username        the role pg_dump connected as (restore with {@code --role} of the application's owner)
 * @param rowCounts       exact row counts per table, in the same snapshot as the dump
 * @param schemaCounts    numbers of tables, indexes, sequences, functions, views and materialized views, same snapshot
 * @param warnings        anomalies against the target's previous backup (rows or size dropped); empty when none
 * @param peertubeMigrationVersion PeerTube's {@code application."migrationVersion"} in the snapshot, when the database has it
 * @param compression     how the dump object is compressed: {@code zstd} (Lifeboat's, of an uncompressed archive: {@code zstd -d}
 *                        before pg_restore), {@code gzip} (pg_dump's own) or {@code none}; absent in manifests written
 *                        before Lifeboat compressed (pg_dump's gzip)
 * @param archiveBytes    the archive's size as pg_dump wrote it, before compression and encryption (absent in older manifests)
 * @param rowCountsFrom   where {@code rowCounts} come from: {@code archive} (each table's rows counted in the archive as it
 *                        streamed by) or {@code snapshot} ({@code count(*)} in the dump's snapshot); absent in older manifests
 *                        (snapshot)
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(int formatVersion, UUID backupId, String target, String database, Instant createdAt,
                       Instant finishedAt, String format, StoredFile dump, StoredFile globals, Encryption encryption,
                       String serverVersion, int serverVersionNum, String pgDumpVersion, String username,
                       Map<String, Long> rowCounts, SnapshotSession.SchemaCounts schemaCounts,
                       String schemaMigrationsVersion, String lifeboatVersion, List<String> warnings,
                       String peertubeMigrationVersion, String compression, Long archiveBytes, String rowCountsFrom) {

    public static final int FORMAT_VERSION = 1;
    /** {@code rowCountsFrom}: read from the archive stream. */
    public static final String COUNTS_FROM_ARCHIVE = "archive";
    /** {@code rowCountsFrom}: {@code count(*)} in the dump's exported snapshot. */
    public static final String COUNTS_FROM_SNAPSHOT = "snapshot";

    /**
     * @param name      object name inside the backup's directory, e.g. {@code dump.pgc.zst.age}
     * @param sizeBytes size of the stored object
     * @param sha256    SHA-256 (hex) of the stored object (after encryption: what {@code sha256sum} of the downloaded file prints)
     */
    public record StoredFile(String name, long sizeBytes, String sha256) {
    }

    /**
     * @param type       always {@code age} (https://age-encryption.org/v1)
     * @param recipients the X25519 public keys ({@code age1…}) that can decrypt
     */
    public record Encryption(String type, List<String> recipients) {
    }
}
