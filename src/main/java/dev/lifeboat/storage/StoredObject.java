package dev.lifeboat.storage;

/**
 * An object that {@link Upload#commit()} made visible.
 *
 * @param key       the key, relative to the store (without an S3 store's configured prefix)
 * @param sizeBytes how many bytes were written
 */
public record StoredObject(String key, long sizeBytes) {
}
