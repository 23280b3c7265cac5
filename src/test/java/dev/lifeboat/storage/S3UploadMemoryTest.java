package dev.lifeboat.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A 200 MiB upload with the default settings (8 MiB parts, 2 in flight) in a JVM limited to
 * {@code -Xmx128m}, S3Proxy included: the upload must stream in bounded memory. Surefire runs this
 * class alone in its own JVM (execution {@code bounded-memory} in pom.xml); it prints throughput and
 * peak heap.
 */
class S3UploadMemoryTest {
    static final long SIZE = 200L * MiB;

    @TempDir
    Path dir;

    @Test
    void a200MebibyteUploadStreamsInBoundedMemory() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assumeTrue(maxHeap <= 160L * MiB || Boolean.getBoolean("lifeboat.test.any-heap"),
                "runs in the bounded-memory surefire execution (-Xmx128m)");
        byte[] chunk = new byte[MiB];
        new SplittableRandom(200).nextBytes(chunk);
        MessageDigest expected = MessageDigest.getInstance("SHA-256");
        for (long i = 0; i < SIZE / MiB; i++) {
            expected.update(chunk);
        }

        try (S3ProxyServer s3 = S3ProxyServer.start(dir)) {
            s3.createBucket("memory");
            try (S3BlobStore store = new S3BlobStore("bench", s3.settings("memory").build())) {
                long baseline = HeapSampler.baseline();
                HeapSampler heap = HeapSampler.start();
                long start = System.nanoTime();
                StoredObject stored;
                try (Upload upload = store.create("bench/dump")) {
                    for (long i = 0; i < SIZE / MiB; i++) {
                        upload.write(chunk);
                    }
                    stored = upload.commit();
                }
                double uploadSeconds = (System.nanoTime() - start) / 1e9;
                heap.stop();

                start = System.nanoTime();
                String sha;
                try (InputStream in = store.open("bench/dump")) {
                    sha = TestData.sha256(in);
                }
                double downloadSeconds = (System.nanoTime() - start) / 1e9;

                System.out.printf("S3 (S3Proxy, localhost) 200 MiB with -Xmx%dm: upload %.1f s = %.0f MiB/s; download+sha256 %.1f s = %.0f MiB/s; "
                                + "heap before the upload %d MiB (after full GC); during it: peak after GC %d MiB, peak used %d MiB, %d GCs; "
                                + "part buffers by design at most %d MiB%n",
                        maxHeap / MiB, uploadSeconds, SIZE / MiB / uploadSeconds, downloadSeconds, SIZE / MiB / downloadSeconds,
                        baseline / MiB, heap.peakAfterGc() / MiB, heap.peakUsed() / MiB, heap.gcs(),
                        (store.settings().uploadConcurrency() + 1) * store.settings().partSizeFor(1) / MiB);
                assertThat(stored.sizeBytes()).isEqualTo(SIZE);
                assertThat(sha).isEqualTo(HexFormat.of().formatHex(expected.digest()));
                assertThat(s3.pendingUploads("memory")).isEmpty();
            }
        }
    }

    /**
     * Samples the heap every millisecond: "used" (which includes garbage not collected yet, so on a
     * small heap it approaches -Xmx whatever the program does) and the heap left after the latest
     * collection (the live data: what the upload really holds, plus S3Proxy and the test).
     */
    private static final class HeapSampler {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong peakUsed = new AtomicLong();
        private final AtomicLong peakAfterGc = new AtomicLong();
        private final List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        private final long gcsBefore = gcCount();
        private long gcs;
        private Thread thread;

        static HeapSampler start() {
            HeapSampler s = new HeapSampler();
            s.thread = new Thread(() -> {
                while (s.running.get()) {
                    s.peakUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                    s.peakAfterGc.accumulateAndGet(afterGc(s.pools), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            s.thread.setDaemon(true);
            s.thread.start();
            return s;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
            gcs = gcCount() - gcsBefore;
        }

        long peakUsed() {
            return peakUsed.get();
        }

        long peakAfterGc() {
            return peakAfterGc.get();
        }

        long gcs() {
            return gcs;
        }

        /** The heap in use right after a full collection: everything the JVM holds before the upload. */
        static long baseline() {
            System.gc();
            return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        }

        /** Heap in use right after the latest collection of any kind (young ones included). */
        private static long afterGc(List<MemoryPoolMXBean> pools) {
            List<String> heapPools = pools.stream().map(MemoryPoolMXBean::getName).toList();
            long latestEnd = -1;
            long after = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null
                        && sun.getLastGcInfo().getEndTime() > latestEnd) {
                    latestEnd = sun.getLastGcInfo().getEndTime();
                    after = sun.getLastGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                            .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                }
            }
            return after;
        }

        private static long gcCount() {
            return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
        }
    }
}
