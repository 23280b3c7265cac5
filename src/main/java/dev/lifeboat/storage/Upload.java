package dev.lifeboat.storage;

import java.io.IOException;
import java.io.OutputStream;

/**
 * An object being written. Nothing is visible to {@link BlobStore#open}, {@link BlobStore#size} or
 * {@link BlobStore#list} until {@link #commit()} returns; until then the key keeps its previous
 * object, if it had one. Use it with try-with-resources, so that any way out other than a commit
 * aborts:
 *
 * <pre>{@code
 * try (Upload upload = store.create(key)) {
 *     dump.transferTo(upload);
 *     return upload.commit();
 * }
 * }</pre>
 *
 * <p>Writes come from one thread. {@link #abort()} may come from any thread at any time (a job
 * being cancelled): the writer's next write or commit then fails with a {@link BlobStoreException}.
 */
public abstract class Upload extends OutputStream {

    /** The key this upload writes. */
    public abstract String key();

    /**
     * Makes the object visible under its key, replacing any previous one, and returns it. On failure
     * the upload is aborted (nothing becomes visible) and the exception says why.
     *
     * @throws BlobStoreException    if the data could not be stored
     * @throws IllegalStateException if the upload was already committed or aborted
     */
    public abstract StoredObject commit() throws IOException;

    /**
     * Throws away what was written; nothing becomes visible. Safe to call from another thread, more
     * than once, and after {@link #commit()} (where it does nothing). Never throws: a clean-up that
     * fails is logged with a hint.
     */
    public abstract void abort();

    /** Aborts unless {@link #commit()} succeeded. */
    @Override
    public void close() {
        abort();
    }
}
