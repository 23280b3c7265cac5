package dev.lifeboat.storage;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where backups are kept: a flat namespace of immutable-once-written objects under
 * '/'-separated keys (see {@link BlobKeys} for the rules). Drivers: {@link FilesystemBlobStore} and
 * {@link S3BlobStore}; both pass the same contract test suite.
 *
 * <p>Every method rejects an invalid key with an {@link IllegalArgumentException}; every storage
 * failure is a {@link BlobStoreException} whose message names the store and key and ends with a hint.
 * Implementations are thread-safe.
 */
public interface BlobStore extends Closeable {

    /** The store's name ({@code lifeboat.storage.<name>}). */
    String name();

    /**
     * Starts writing an object. The object becomes visible only when {@link Upload#commit()}
     * succeeds; closing the upload without committing aborts it.
     */
    Upload create(String key) throws IOException;

    /**
     * Reads a committed object. Close the stream when done (closing early is cheap).
     *
     * @throws NoSuchObjectException if the key holds no object
     */
    InputStream open(String key) throws IOException;

    /** The size of a committed object, or empty if the key holds none. */
    Optional<Long> size(String key) throws IOException;

    /**
     * Every committed object whose key starts with {@code prefix} (a plain string prefix: {@code "a/b"}
     * matches {@code a/b/c} and {@code a/bc}; {@code ""} matches everything), at any depth, sorted by key.
     */
    List<ObjectInfo> list(String prefix) throws IOException;

    /**
     * Removes what uploads under {@code prefix} left behind without committing or aborting (the process
     * was killed): S3 multipart uploads still in progress, temporary files of the filesystem store.
     * Call it only when no upload under the prefix can be running (Lifeboat does so at the start of a
     * backup, which runs alone for its target). Returns how many were removed.
     */
    int abortIncompleteUploads(String prefix) throws IOException;

    /** Deletes an object; deleting a key that holds none is not an error. */
    void delete(String key) throws IOException;

    /**
     * Checks that the store can be used (directory exists and is writable; bucket exists and the
     * credentials are accepted).
     *
     * @throws BlobStoreException saying what is wrong, with a hint
     */
    void checkReachable() throws BlobStoreException;

    /** Releases the store's resources (HTTP connections). */
    @Override
    default void close() {
    }
}
