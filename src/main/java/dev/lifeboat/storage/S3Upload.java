package dev.lifeboat.storage;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One object being written to S3. The writer fills a part-sized buffer; a full buffer is handed to
 * one of {@code uploadConcurrency} sender threads and the writer goes on with a new buffer, waiting
 * only when that many parts are already in flight. So at most {@code uploadConcurrency + 1} parts
 * are in memory. The multipart upload is created with the first full part and completed by
 * {@link #commit()}; an object that never fills a part is sent by {@code commit()} as one
 * {@code PutObject}. Any failure, and {@link #abort()} from any thread, stops the senders (a part's
 * body stops mid-stream) and sends {@code AbortMultipartUpload}.
 */
final class S3Upload extends Upload {
    private enum State { OPEN, COMMITTING, COMMITTED, ABORTED }

    /** The first buffer starts small and grows to a part, so small objects (manifests) stay cheap. */
    private static final int FIRST_BUFFER = 64 * 1024;
    private static final String CONTENT_TYPE = "application/octet-stream";
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final S3BlobStore store;
    private final S3Settings settings;
    private final S3Client s3;
    private final String key;
    private final String objectKey;
    private final Semaphore slots;
    private final UploadMemory memory;

    // Owned by the writer thread.
    private byte[] buffer;
    private int filled;
    private long written;
    private int nextPart = 1;
    private final List<Future<CompletedPart>> parts = new ArrayList<>();

    /** A sent part's buffer, for the writer to fill again (see uploadPart). */
    private final AtomicReference<byte[]> spare = new AtomicReference<>();

    private final Object lock = new Object();
    private volatile State state = State.OPEN; // changed under lock
    private String uploadId;                  // guarded by lock
    private ExecutorService senders;          // guarded by lock
    /** This upload's share of the replica's {@link UploadMemory}: its filling buffer and its parts in flight. */
    private final MemoryShare share;
    /**
     * Whether the store checked what it stored: every part was sent with its SHA-256, which S3 verifies on
     * receipt (a mismatch fails the part) and echoes; and the completed object's composite checksum is the one
     * these parts make. Endpoints that ignore checksums echo nothing, and the object is read back instead.
     */
    private volatile boolean partsVouched = true;
    private volatile boolean vouched;
    /** The first part failure, already described for the operator. */
    private final AtomicReference<BlobStoreException> partFailure = new AtomicReference<>();

    S3Upload(S3BlobStore store, String key, UploadMemory memory) {
        this.memory = memory;
        this.share = new MemoryShare(memory);
        this.store = store;
        this.settings = store.settings();
        this.s3 = store.client();
        this.key = key;
        this.objectKey = store.objectKey(key);
        this.slots = new Semaphore(settings.uploadConcurrency());
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (buffer == null || filled == buffer.length) {
            makeRoom();
        }
        buffer[filled++] = (byte) b;
        written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        ensureOpen();
        while (len > 0) {
            if (buffer == null || filled == buffer.length) {
                makeRoom();
            }
            int n = Math.min(len, buffer.length - filled);
            System.arraycopy(b, off, buffer, filled, n);
            filled += n;
            off += n;
            len -= n;
            written += n;
        }
    }

    /** The buffer is missing or full: grow the first one towards a part, or send the full part; then allocate one. */
    private void makeRoom() throws IOException {
        long partSize = settings.partSizeFor(nextPart);
        if (buffer != null) {
            if (buffer.length < partSize) {
                int grown = (int) Math.min(partSize, buffer.length * 2L);
                takeMemory(grown - buffer.length);
                buffer = Arrays.copyOf(buffer, grown);
                return;
            }
            sendPart();
        }
        int size = (int) (nextPart == 1 ? Math.min(FIRST_BUFFER, partSize) : settings.partSizeFor(nextPart));
        takeMemory(size);
        byte[] sent = spare.getAndSet(null);
        buffer = sent != null && sent.length == size ? sent : new byte[size];
    }

    /** Waits for {@code bytes} of the replica's budget for a buffer (see {@link UploadMemory}); fails if the upload ended meanwhile. */
    private void takeMemory(long bytes) throws IOException {
        boolean taken;
        try {
            taken = share.take(bytes, () -> state == State.ABORTED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw abortedException(e);
        }
        if (!taken) {
            throw failureOrAborted();
        }
    }

    /** Hands the buffer to a sender as the next part; waits while {@code uploadConcurrency} parts are in flight. */
    private void sendPart() throws IOException {
        int number = nextPart;
        if (number > S3Settings.MAX_PARTS) {
            abort();
            throw new BlobStoreException(store.name(), key, "The object is larger than " + settings.maxObjectSize()
                    + " bytes, the most " + S3Settings.MAX_PARTS + " parts of these sizes hold",
                    "raise lifeboat.storage." + store.name() + ".part-size", null);
        }
        String id = startMultipartUpload();
        acquireSlot();
        byte[] body = buffer;
        int length = filled;
        buffer = null; // the next buffer is allocated when the next byte comes
        filled = 0;
        nextPart++;
        try {
            parts.add(senders().submit(() -> uploadPart(id, number, body, length)));
        } catch (RejectedExecutionException e) { // abort() shut the senders down meanwhile
            slots.release();
            throw failureOrAborted();
        }
    }

    /** Creates the multipart upload with the first part; returns its id. */
    private String startMultipartUpload() throws IOException {
        synchronized (lock) {
            if (uploadId != null) {
                return uploadId;
            }
        }
        CreateMultipartUploadResponse created;
        try {
            created = s3.createMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey).contentType(CONTENT_TYPE)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256));
        } catch (SdkException e) {
            abort();
            throw store.failure(key, "Starting the multipart upload", e);
        }
        if (created.uploadId() == null || created.uploadId().isBlank()) {
            abort();
            throw new BlobStoreException(store.name(), key, "CreateMultipartUpload returned no upload id",
                    "the endpoint does not behave like S3; check lifeboat.storage." + store.name() + ".endpoint", null);
        }
        boolean abortedMeanwhile;
        synchronized (lock) {
            uploadId = created.uploadId();
            abortedMeanwhile = state == State.ABORTED;
            if (!abortedMeanwhile) {
                senders = Executors.newFixedThreadPool(settings.uploadConcurrency(), r -> {
                    Thread t = new Thread(r, "lifeboat-s3-" + store.name() + "-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
        }
        if (abortedMeanwhile) { // abort() saw no upload id yet, so aborting it is ours to do
            sendAbortMultipartUpload(created.uploadId());
            throw abortedException(null);
        }
        return created.uploadId();
    }

    private ExecutorService senders() {
        synchronized (lock) {
            return senders;
        }
    }

    private void acquireSlot() throws IOException {
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort();
            throw abortedException(e);
        }
        if (state == State.ABORTED || partFailure.get() != null) {
            slots.release();
            throw failureOrAborted();
        }
    }

    /** Runs on a sender thread. */
    private CompletedPart uploadPart(String id, int number, byte[] body, int length) throws BlobStoreException {
        memory.partStarted();
        try {
            String sha256 = sha256Base64(body, 0, length);
            UploadPartResponse response = s3.uploadPart(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(id)
                    .partNumber(number).contentLength((long) length).checksumSHA256(sha256), body(body, length));
            if (response.eTag() == null || response.eTag().isBlank()) {
                throw new BlobStoreException(store.name(), key, "Part " + number + " was not acknowledged: the response has no ETag",
                        "the endpoint does not behave like S3; check lifeboat.storage." + store.name() + ".endpoint", null);
            }
            if (!sha256.equals(response.checksumSHA256())) {
                partsVouched = false; // the store did not say it checked this part against its SHA-256
            }
            return CompletedPart.builder().partNumber(number).eTag(response.eTag()).checksumSHA256(sha256).build();
        } catch (BlobStoreException e) {
            partFailure.compareAndSet(null, e);
            throw e;
        } catch (RuntimeException e) {
            BlobStoreException failure = store.failure(key, "Uploading part " + number + " (" + length + " bytes)", e);
            if (state != State.ABORTED) {
                partFailure.compareAndSet(null, failure);
            }
            throw failure;
        } finally {
            memory.partFinished();
            share.give(body.length);
            // One sent buffer is kept for the writer's next part (which takes its budget again): a dump of many
            // parts then reuses buffers instead of allocating one per part, a churn that made the heap, and the
            // RSS, grow with the dump's size. At most one such buffer per upload is outside the budget.
            spare.compareAndSet(null, body);
            slots.release();
        }
    }

    @Override
    public StoredObject commit() throws IOException {
        synchronized (lock) {
            if (state == State.COMMITTED || state == State.COMMITTING) {
                throw new IllegalStateException("Upload of " + key + " to store " + store.name() + " was already committed");
            }
            if (state == State.ABORTED) {
                throw failureOrAborted();
            }
            state = State.COMMITTING;
        }
        boolean multipart;
        synchronized (lock) {
            multipart = uploadId != null;
        }
        try {
            if (multipart) {
                completeMultipartUpload();
            } else {
                putObject();
            }
        } catch (BlobStoreException e) {
            abort();
            throw e;
        } catch (RuntimeException e) {
            abort();
            throw store.failure(key, "Committing", e);
        } finally {
            buffer = null;
            if (state != State.ABORTED) {
                share.giveAll(); // every part was sent (completeMultipartUpload waited for them) or none was
            }
        }
        boolean cancelled;
        synchronized (lock) {
            cancelled = state == State.ABORTED;
            if (!cancelled) {
                state = State.COMMITTED;
            }
            if (senders != null) {
                senders.shutdown();
            }
        }
        if (cancelled) { // abort() came from another thread while the object was being completed
            try {
                store.delete(key);
            } catch (IOException e) {
                S3BlobStore.logAbortFailure(store.name(), key, "(completed)", e);
            }
            throw abortedException(null);
        }
        return new StoredObject(key, written, vouched);
    }

    private void putObject() throws IOException {
        byte[] body = buffer == null ? new byte[0] : buffer;
        int length = filled;
        String sha256 = sha256Base64(body, 0, length);
        PutObjectResponse response;
        try {
            response = s3.putObject(b -> b.bucket(settings.bucket()).key(objectKey).contentType(CONTENT_TYPE).checksumSHA256(sha256),
                    body(body, length));
        } catch (SdkException e) {
            if (state == State.ABORTED) {
                throw abortedException(e);
            }
            throw store.failure(key, "Uploading the object (" + length + " bytes)", e);
        }
        if (response.eTag() == null || response.eTag().isBlank()) {
            throw new BlobStoreException(store.name(), key, "PutObject was not acknowledged: the response has no ETag",
                    "the endpoint does not behave like S3; check lifeboat.storage." + store.name() + ".endpoint", null);
        }
        vouched = sha256.equals(response.checksumSHA256());
    }

    private void completeMultipartUpload() throws IOException {
        if (filled > 0) {
            sendPart(); // the last part, the only one that may be smaller than the part size
        }
        List<CompletedPart> completed = new ArrayList<>(parts.size());
        for (Future<CompletedPart> part : parts) {
            try {
                completed.add(part.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort();
                throw abortedException(e);
            } catch (ExecutionException | CancellationException e) {
                throw failureOrAborted();
            }
        }
        String id;
        synchronized (lock) {
            id = uploadId;
        }
        CompleteMultipartUploadResponse response;
        try {
            response = s3.completeMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(id)
                    .multipartUpload(m -> m.parts(completed)));
        } catch (SdkException e) {
            if (state == State.ABORTED) {
                throw abortedException(e);
            }
            throw store.failure(key, "Completing the multipart upload of " + completed.size() + " parts", e);
        }
        if (response.eTag() == null || response.eTag().isBlank()) {
            throw new BlobStoreException(store.name(), key, "CompleteMultipartUpload was not acknowledged: the response has no ETag",
                    "the endpoint does not behave like S3; check lifeboat.storage." + store.name() + ".endpoint", null);
        }
        // The object's checksum, as S3 composes it: the SHA-256 of the parts' SHA-256s, then "-<parts>".
        MessageDigest composite = sha256();
        for (CompletedPart part : completed) {
            composite.update(Base64.getDecoder().decode(part.checksumSHA256()));
        }
        String expected = Base64.getEncoder().encodeToString(composite.digest()) + "-" + completed.size();
        vouched = partsVouched && expected.equals(response.checksumSHA256());
    }

    private static String sha256Base64(byte[] bytes, int off, int length) {
        MessageDigest digest = sha256();
        digest.update(bytes, off, length);
        return Base64.getEncoder().encodeToString(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    @Override
    public void abort() {
        String id;
        ExecutorService pool;
        synchronized (lock) {
            if (state == State.COMMITTED || state == State.ABORTED) {
                return;
            }
            state = State.ABORTED;
            id = uploadId;
            pool = senders;
        }
        // A cancelled job's thread may be interrupted; the clean-up below must still reach S3.
        boolean interrupted = Thread.interrupted();
        try {
            slots.release(settings.uploadConcurrency()); // wakes a writer waiting for a slot
            if (pool != null) {
                pool.shutdownNow(); // parts in flight stop: their bodies fail on the next read
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    S3BlobStore.logAbortFailure(store.name(), key, id, new IllegalStateException("parts still uploading after 30 s"));
                }
            }
            if (id != null) {
                // After the senders stopped, so that no part lands after the abort and lingers.
                sendAbortMultipartUpload(id);
            }
            share.giveAll();
        } catch (InterruptedException e) {
            share.giveAll();
            interrupted = true;
            if (id != null) {
                sendAbortMultipartUpload(id);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void sendAbortMultipartUpload(String id) {
        boolean interrupted = Thread.interrupted();
        try {
            s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(objectKey).uploadId(id));
        } catch (SdkException e) {
            if (!S3BlobStore.isNotFound(e)) { // NoSuchUpload: already gone
                S3BlobStore.logAbortFailure(store.name(), key, id, e);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void ensureOpen() throws IOException {
        State s = state;
        if (s == State.OPEN && partFailure.get() == null) {
            return;
        }
        if (s == State.COMMITTED || s == State.COMMITTING) {
            throw new IllegalStateException("Upload of " + key + " to store " + store.name() + " was already committed");
        }
        abort();
        throw failureOrAborted();
    }

    /** The part failure that ended this upload, or "aborted" when it was aborted. */
    private BlobStoreException failureOrAborted() {
        BlobStoreException failure = partFailure.get();
        if (failure != null) {
            abort();
            return failure;
        }
        return abortedException(null);
    }

    private BlobStoreException abortedException(Throwable cause) {
        return new BlobStoreException(store.name(), key, "The upload was aborted", "nothing was stored; start a new upload", cause);
    }

    /** A part's body; fails mid-stream once the upload is aborted, so a part in flight stops at once. */
    private RequestBody body(byte[] bytes, int length) {
        return RequestBody.fromContentProvider(() -> new PartStream(bytes, length), length, CONTENT_TYPE);
    }

    private final class PartStream extends InputStream {
        private final byte[] bytes;
        private final int length;
        private int pos;

        PartStream(byte[] bytes, int length) {
            this.bytes = bytes;
            this.length = length;
        }

        @Override
        public int read() throws IOException {
            checkNotAborted();
            return pos < length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            checkNotAborted();
            if (len == 0) {
                return 0;
            }
            if (pos >= length) {
                return -1;
            }
            int n = Math.min(len, length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return length - pos;
        }

        private void checkNotAborted() throws InterruptedIOException {
            if (state == State.ABORTED) {
                throw new InterruptedIOException("upload of " + key + " to store " + store.name() + " was aborted");
            }
        }
    }

    /**
     * What one upload holds of the replica's {@link UploadMemory}. Its accounting in three moves: a
     * buffer is taken before it is filled, a part's buffer is given back when the part is sent (or
     * failed), and whatever is left is given back once when the upload ends (committed or aborted).
     * After that end, nothing more is taken: a writer still waiting gets its bytes back at once.
     */
    private static final class MemoryShare {
        private final UploadMemory memory;
        private long held;
        private boolean ended;

        MemoryShare(UploadMemory memory) {
            this.memory = memory;
        }

        /** Waits for {@code bytes}; false (and nothing held) when the upload ended meanwhile. */
        boolean take(long bytes, BooleanSupplier aborted) throws InterruptedException {
            memory.acquire(bytes, aborted);
            synchronized (this) {
                if (!ended) {
                    held += bytes;
                    return true;
                }
            }
            memory.release(bytes);
            return false;
        }

        /** Gives back a sent part's buffer. */
        void give(long bytes) {
            long given;
            synchronized (this) {
                if (ended) {
                    return;
                }
                given = Math.min(bytes, held);
                held -= given;
            }
            memory.release(given);
        }

        /** The upload ended (senders stopped): gives back whatever is still held, once. */
        void giveAll() {
            long given;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                given = held;
                held = 0;
            }
            memory.release(given);
        }
    }
}
