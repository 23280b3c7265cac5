package dev.lifeboat.storage;

/**
 * An object that {@link Upload#commit()} made visible.
 *
 * @param key       the key, relative to the store (without an S3 store's configured prefix)
 * @param sizeBytes how many bytes were written
 * @param vouched   the store itself checked the stored bytes against checksums of what was written (S3 with
 *                  per-part SHA-256): reading the object back would prove nothing more
 */
public record StoredObject(String key, long sizeBytes, boolean vouched) {
}
