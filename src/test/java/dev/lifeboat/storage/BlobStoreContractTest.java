package dev.lifeboat.storage;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * What every {@link BlobStore} driver promises. Each driver's test extends this class and provides a
 * fresh, empty store per test whose multipart uploads (if any) use {@link #PART_SIZE} parts.
 */
abstract class BlobStoreContractTest {
    /** Part size the drivers under test use: S3's minimum, so multi-part objects stay small. */
    static final long PART_SIZE = 5L * MiB;
    static final String NAME = "contract";

    protected BlobStore store;

    /** A new, empty store named {@link #NAME}. */
    protected abstract BlobStore newStore() throws Exception;

    /** Whether the store checks what it stores against Lifeboat's checksums ({@link StoredObject#vouched()}). */
    protected abstract boolean vouches();

    /** Asserts that no upload left anything behind (temporary files, pending multipart uploads). */
    protected abstract void assertNothingPending() throws Exception;

    /** Asserts that an upload in progress holds something (proves {@link #assertNothingPending()} can fail). */
    protected abstract void assertSomethingPending() throws Exception;

    @BeforeEach
    void createStore() throws Exception {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void anEmptyObjectRoundTrips() throws Exception {
        StoredObject stored;
        try (Upload upload = store.create("t/empty")) {
            stored = upload.commit();
        }
        assertThat(stored).isEqualTo(new StoredObject("t/empty", 0, vouches()));
        assertThat(store.size("t/empty")).contains(0L);
        try (InputStream in = store.open("t/empty")) {
            assertThat(in.readAllBytes()).isEmpty();
        }
        assertThat(store.list("")).extracting(ObjectInfo::key, ObjectInfo::sizeBytes).containsExactly(org.assertj.core.groups.Tuple.tuple("t/empty", 0L));
        assertNothingPending();
    }

    @Test
    void aOneByteObjectRoundTrips() throws Exception {
        try (Upload upload = store.create("t/one")) {
            upload.write(42);
            assertThat(upload.commit()).isEqualTo(new StoredObject("t/one", 1, vouches()));
        }
        try (InputStream in = store.open("t/one")) {
            assertThat(in.readAllBytes()).containsExactly(42);
        }
        assertThat(store.size("t/one")).contains(1L);
    }

    @Test
    void aMultiPartObjectRoundTripsByteForByte() throws Exception {
        long size = 23L * MiB + 123; // four full 5 MiB parts and a short fifth one
        String sha;
        StoredObject stored;
        try (Upload upload = store.create("mastodon/2026/01/31/7/dump")) {
            sha = TestData.write(upload, 1, size);
            stored = upload.commit();
        }
        assertThat(stored).isEqualTo(new StoredObject("mastodon/2026/01/31/7/dump", size, vouches()));
        assertThat(store.size("mastodon/2026/01/31/7/dump")).contains(size);
        assertThat(TestData.sha256(store.open("mastodon/2026/01/31/7/dump"))).isEqualTo(sha);
        assertNothingPending();
    }

    @Test
    void anObjectOfExactlyOnePartRoundTrips() throws Exception {
        String sha;
        try (Upload upload = store.create("t/exact")) {
            sha = TestData.write(upload, 2, PART_SIZE);
            upload.commit();
        }
        assertThat(TestData.sha256(store.open("t/exact"))).isEqualTo(sha);
        try (Upload upload = store.create("t/two-exact")) {
            sha = TestData.write(upload, 3, 2 * PART_SIZE);
            upload.commit();
        }
        assertThat(TestData.sha256(store.open("t/two-exact"))).isEqualTo(sha);
        assertThat(store.size("t/two-exact")).contains(2 * PART_SIZE);
    }

    @Test
    void nothingIsVisibleBeforeCommit() throws Exception {
        try (Upload upload = store.create("t/pending")) {
            TestData.write(upload, 4, 11L * MiB); // two parts sent, the third filling
            assertSomethingPending();
            assertThatThrownBy(() -> store.open("t/pending")).isInstanceOf(NoSuchObjectException.class);
            assertThat(store.size("t/pending")).isEmpty();
            assertThat(store.list("")).isEmpty();
            assertThat(store.list("t/")).isEmpty();
            upload.commit();
        }
        assertThat(store.size("t/pending")).contains(11L * MiB);
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/pending");
        assertNothingPending();
    }

    @Test
    void uploadsLeftOpenByAKilledProcessAreRemovedUnderTheirPrefixOnly() throws Exception {
        Upload other = store.create("u/keep");
        TestData.write(other, 6, 11L * MiB);
        Upload left = store.create("t/left");
        TestData.write(left, 7, 11L * MiB);
        // As if the process writing "left" had been killed: neither committed nor aborted.
        assertThat(store.abortIncompleteUploads("t/")).isEqualTo(1);
        assertSomethingPending(); // only u/keep's
        assertThat(store.abortIncompleteUploads("t/")).isZero();
        assertThat(store.list("")).isEmpty();
        left.abort();
        other.abort();
        assertNothingPending();
    }

    @Test
    void abortLeavesNothing() throws Exception {
        Upload upload = store.create("t/aborted");
        TestData.write(upload, 5, 12L * MiB);
        upload.abort();
        upload.abort(); // idempotent
        assertThat(store.size("t/aborted")).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertNothingPending();
        assertThatThrownBy(() -> upload.write(1)).isInstanceOf(BlobStoreException.class).hasMessageContaining("aborted");
        assertThatThrownBy(upload::commit).isInstanceOf(BlobStoreException.class).hasMessageContaining("aborted");
        upload.close();
    }

    @Test
    void abortOfASmallUploadLeavesNothing() throws Exception {
        Upload upload = store.create("t/small-aborted");
        upload.write("hello".getBytes(StandardCharsets.UTF_8));
        upload.abort();
        assertThat(store.list("")).isEmpty();
        assertNothingPending();
    }

    @Test
    void closeWithoutCommitAborts() throws Exception {
        try (Upload upload = store.create("t/forgotten")) {
            TestData.write(upload, 6, 7L * MiB);
        }
        assertThat(store.size("t/forgotten")).isEmpty();
        assertThat(store.list("")).isEmpty();
        assertNothingPending();
    }

    @Test
    void anExceptionInTheWriterAbortsThroughTryWithResources() throws Exception {
        assertThatThrownBy(() -> {
            try (Upload upload = store.create("t/failed")) {
                TestData.write(upload, 7, 6L * MiB);
                throw new IOException("pg_dump exited with status 1");
            }
        }).hasMessage("pg_dump exited with status 1");
        assertThat(store.list("")).isEmpty();
        assertNothingPending();
    }

    @Test
    void abortFromAnotherThreadStopsTheWriter() throws Exception {
        Upload upload = store.create("t/cancelled");
        AtomicLong written = new AtomicLong();
        CompletableFuture<Throwable> writer = CompletableFuture.supplyAsync(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                for (long i = 0; i < 1024 * 16; i++) { // at most 1 GiB: the test must end on its own
                    upload.write(chunk);
                    written.addAndGet(chunk.length);
                }
                return null;
            } catch (Throwable e) {
                return e;
            }
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> written.get() > 2 * PART_SIZE + MiB);
        upload.abort();
        Throwable failure = writer.get(30, TimeUnit.SECONDS);
        assertThat(failure).isInstanceOf(BlobStoreException.class).hasMessageContaining("aborted")
                .hasMessageContaining("store " + NAME).hasMessageContaining("t/cancelled");
        assertThat(store.list("")).isEmpty();
        assertNothingPending();
    }

    @Test
    void overwritingReplacesTheObjectOnlyAtCommit() throws Exception {
        put("t/object", "old");
        try (Upload upload = store.create("t/object")) {
            upload.write("new, longer".getBytes(StandardCharsets.UTF_8));
            assertThat(read("t/object")).isEqualTo("old");
            upload.commit();
        }
        assertThat(read("t/object")).isEqualTo("new, longer");
        assertThat(store.size("t/object")).contains(11L);
        try (Upload upload = store.create("t/object")) {
            upload.write("abandoned".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(read("t/object")).isEqualTo("new, longer");
        assertThat(store.list("")).hasSize(1);
    }

    @Test
    void commitTwiceIsAnErrorAndAbortAfterCommitKeepsTheObject() throws Exception {
        Upload upload = store.create("t/once");
        upload.write(1);
        upload.commit();
        assertThatThrownBy(upload::commit).isInstanceOf(IllegalStateException.class).hasMessageContaining("already committed");
        assertThatThrownBy(() -> upload.write(2)).isInstanceOf(IllegalStateException.class);
        upload.abort();
        upload.close();
        assertThat(store.size("t/once")).contains(1L);
    }

    @Test
    void uploadsToDifferentKeysCanRunTogether() throws Exception {
        try (Upload a = store.create("t/a"); Upload b = store.create("t/b")) {
            for (int i = 0; i < 100; i++) {
                a.write('a');
                b.write('b');
            }
            b.commit();
            a.commit();
        }
        assertThat(read("t/a")).isEqualTo("a".repeat(100));
        assertThat(read("t/b")).isEqualTo("b".repeat(100));
    }

    @Test
    void listFindsEveryObjectUnderAPrefixSortedByKey() throws Exception {
        for (String key : List.of("t/2026/02/c", "t/2026/01/b", "t/2026/01/a", "u/x", "tt/y", "t/2026/01/a.sha256")) {
            put(key, key);
        }
        assertThat(store.list("t/")).extracting(ObjectInfo::key)
                .containsExactly("t/2026/01/a", "t/2026/01/a.sha256", "t/2026/01/b", "t/2026/02/c");
        assertThat(store.list("t")).extracting(ObjectInfo::key)
                .containsExactly("t/2026/01/a", "t/2026/01/a.sha256", "t/2026/01/b", "t/2026/02/c", "tt/y");
        assertThat(store.list("t/2026/0")).hasSize(4);
        assertThat(store.list("t/2026/01/a")).extracting(ObjectInfo::key).containsExactly("t/2026/01/a", "t/2026/01/a.sha256");
        assertThat(store.list("")).extracting(ObjectInfo::key)
                .containsExactly("t/2026/01/a", "t/2026/01/a.sha256", "t/2026/01/b", "t/2026/02/c", "tt/y", "u/x");
        assertThat(store.list("nothing/")).isEmpty();
        assertThat(store.list("t/2026/01/")).allSatisfy(o -> {
            assertThat(o.sizeBytes()).isEqualTo(o.key().length());
            assertThat(o.lastModified()).isNotNull();
        });
    }

    @Test
    void deleteIsIdempotent() throws Exception {
        store.delete("t/never-existed");
        put("t/doomed", "x");
        put("t/kept", "y");
        store.delete("t/doomed");
        store.delete("t/doomed");
        assertThat(store.size("t/doomed")).isEmpty();
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/kept");
        store.delete("t"); // a "directory" is not an object
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/kept");
    }

    @Test
    void aMissingObjectIsReportedClearly() throws Exception {
        assertThatThrownBy(() -> store.open("mastodon/2026/01/31/9/dump"))
                .isInstanceOf(NoSuchObjectException.class)
                .hasMessageContaining("store " + NAME)
                .hasMessageContaining("key mastodon/2026/01/31/9/dump")
                .hasMessageContaining("Hint:");
        assertThat(store.size("mastodon/2026/01/31/9/dump")).isEmpty();
        put("mastodon/2026/01/31/9/manifest.json", "{}");
        assertThatThrownBy(() -> store.open("mastodon/2026/01/31/9")).isInstanceOf(NoSuchObjectException.class);
        assertThat(store.size("mastodon/2026/01/31/9")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "/", "a/../b", "..", "../x", "./a", "a/.", "a//b", "a/", "a\\b", "..\\x",
            "a\u0000b", "a\nb", "a\u007fb", ".lifeboat-upload-123", "a/.lifeboat-probe"})
    void badKeysAreRejected(String key) throws Exception {
        assertThatThrownBy(() -> store.create(key)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid key");
        assertThatThrownBy(() -> store.open(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.size(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void aNullKeyIsRejected() {
        assertThatThrownBy(() -> store.create(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/a", "../", "a/../", "a//", "a\\b", "x\u0001", "../../etc/pass"})
    void badPrefixesAreRejected(String prefix) {
        assertThatThrownBy(() -> store.list(prefix)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid prefix");
    }

    @Test
    void unusualButValidKeysWork() throws Exception {
        List<String> keys = List.of("a b/c d", "ünïcödé/ключ/鍵", "x/..y", "x/y..", "x/.hidden", "x/a=b&c+d%20");
        for (String key : keys) {
            put(key, key);
        }
        for (String key : keys) {
            assertThat(read(key)).isEqualTo(key);
        }
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void aStreamCanBeClosedBeforeItsEnd() throws Exception {
        try (Upload upload = store.create("t/big")) {
            TestData.write(upload, 8, 12L * MiB);
            upload.commit();
        }
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            for (int i = 0; i < 5; i++) {
                try (InputStream in = store.open("t/big")) {
                    assertThat(in.readNBytes(10)).hasSize(10);
                }
            }
        });
        assertThat(store.size("t/big")).contains(12L * MiB);
    }

    @Test
    void aHealthyStoreIsReachable() {
        assertThatCode(store::checkReachable).doesNotThrowAnyException();
    }

    void put(String key, String content) throws IOException {
        try (Upload upload = store.create(key)) {
            upload.write(content.getBytes(StandardCharsets.UTF_8));
            upload.commit();
        }
    }

    String read(String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
