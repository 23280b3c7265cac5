package dev.lifeboat.storage;

import java.time.Instant;

/**
 * One object as {@link BlobStore#list(String)} reports it.
 *
 * @param key          the key, relative to the store (without an S3 store's configured prefix)
 * @param sizeBytes    the object's size
 * @param lastModified when the object was last written (committed)
 */
public record ObjectInfo(String key, long sizeBytes, Instant lastModified) {
}
