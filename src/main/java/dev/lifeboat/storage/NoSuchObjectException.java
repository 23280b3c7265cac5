package dev.lifeboat.storage;

/** {@link BlobStore#open(String)} of a key that holds no (committed) object. */
public class NoSuchObjectException extends BlobStoreException {
    public NoSuchObjectException(String store, String key) {
        super(store, key, "No such object",
                "check the key; BlobStore.list (or the storage's own listing tool) shows what the store holds", null);
    }
}
