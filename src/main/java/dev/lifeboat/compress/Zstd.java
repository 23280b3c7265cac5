package dev.lifeboat.compress;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * zstd streams (zstd-jni: libzstd in-process), for dumps that pg_dump wrote uncompressed. The output is
 * one standard zstd frame with a content checksum, so {@code zstd -d} reads it by hand.
 *
 * <p>Memory: with {@code threads > 1}, libzstd compresses in jobs of a few window sizes each (at level 2
 * a window is 512 KiB to a few MiB), one per worker plus one being filled; all of it native memory,
 * bounded by level and threads, never by the dump's size. Decompression needs one window.
 */
public final class Zstd {
    private Zstd() {
    }

    /**
     * A stream that compresses into {@code out}; closing it writes the frame's end and closes {@code out}.
     *
     * @param level   1 (fastest) to 19
     * @param threads worker threads; 1 compresses on the writing thread
     */
    public static OutputStream compress(OutputStream out, int level, int threads) throws IOException {
        ZstdOutputStreamNoFinalizer z = new ZstdOutputStreamNoFinalizer(out, level);
        try {
            z.setChecksum(true);
            if (threads > 1) {
                z.setWorkers(threads);
            }
            return z;
        } catch (IOException | RuntimeException e) {
            z.close();
            throw e;
        }
    }

    /** A stream of what {@code in} (one or more zstd frames) decompresses to; closing it closes {@code in}. */
    public static InputStream decompress(InputStream in) throws IOException {
        return new ZstdInputStreamNoFinalizer(in);
    }
}
