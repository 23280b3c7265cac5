package dev.lifeboat.storage;

import java.io.IOException;

/**
 * A storage operation failed. The message names the store and, where there is one, the key, and
 * ends with a hint on what to do:
 * {@code Bucket lifeboat-backups does not exist (store offsite, key mastodon/…/dump). Hint: …}.
 */
public class BlobStoreException extends IOException {
    private final String store;
    private final String key;

    /**
     * @param store   the store's name
     * @param key     the key concerned, or null for store-wide problems
     * @param problem what went wrong, as a sentence without the store, key or hint
     * @param hint    what the operator can do about it
     * @param cause   the underlying exception, or null
     */
    public BlobStoreException(String store, String key, String problem, String hint, Throwable cause) {
        super(problem + " (store " + store + (key == null ? "" : ", key " + key) + "). Hint: " + hint, cause);
        this.store = store;
        this.key = key;
    }

    /** The name of the store concerned. */
    public String store() {
        return store;
    }

    /** The key concerned, or null when the problem is about the whole store. */
    public String key() {
        return key;
    }
}
