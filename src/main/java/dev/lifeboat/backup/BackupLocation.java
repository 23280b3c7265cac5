package dev.lifeboat.backup;

import java.time.Instant;

/**
 * One stored copy of a backup.
 *
 * @param storage     the store's name ({@code lifeboat.storage.<name>})
 * @param key         the dump object's key in that store
 * @param manifestKey the manifest's key in that store
 * @param sizeBytes   size of the stored object as read back
 * @param sha256      SHA-256 (hex) of the stored object as read back
 * @param verifiedAt  when the copy was last read back and matched
 * @param problem     what the last verify found wrong with this copy, or null
 */
public record BackupLocation(String storage, String key, String manifestKey, long sizeBytes, String sha256,
                             Instant verifiedAt, String problem) {
}
