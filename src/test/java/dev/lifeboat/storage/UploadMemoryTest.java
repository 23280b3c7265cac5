package dev.lifeboat.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;

/** The one memory budget shared by every S3 upload: concurrent uploads stay within it and give it all back. */
class UploadMemoryTest {
    static final long PART = 5L * MiB;
    @Test
    void concurrentUploadsShareOneBudgetAndReturnAllOfIt(@TempDir Path dir) throws Exception {
        UploadMemory memory = new UploadMemory(4 * PART);
        AtomicLong peak = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                peak.accumulateAndGet(memory.used(), Math::max);
                Thread.onSpinWait();
            }
        });
        try (S3ProxyServer s3 = S3ProxyServer.start(dir);
             S3BlobStore store = new S3BlobStore("budget", s3.settings("budget").partSize(PART).uploadConcurrency(2).build(), memory)) {
            s3.createBucket("budget");
            sampler.start();
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<String>> shas = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int n = i;
                shas.add(pool.submit(() -> {
                    try (Upload u = store.create("t/" + n)) {
                        String sha = TestData.write(u, n, 23L * MiB);
                        u.commit();
                        return sha;
                    }
                }));
            }
            for (int i = 0; i < 4; i++) {
                String sha = shas.get(i).get();
                assertThat(TestData.sha256(store.open("t/" + i))).isEqualTo(sha);
            }
            pool.shutdown();
            // Without the budget four uploads would hold up to 4 x 3 = 12 parts. With it, a writer goes over
            // only when no part is in flight (see UploadMemory): at worst one part per upload.
            assertThat(peak.get()).isLessThanOrEqualTo(4 * PART + 4 * PART).isGreaterThan(PART);

            // An upload aborted midway gives its memory back too.
            Upload aborted = store.create("t/aborted");
            TestData.write(aborted, 9, 12L * MiB);
            assertThat(memory.used()).isPositive();
            aborted.abort();
        } finally {
            done.set(true);
            sampler.join();
        }
        assertThat(memory.used()).as("memory still held after every upload ended").isZero();
    }
}
