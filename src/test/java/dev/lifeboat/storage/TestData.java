package dev.lifeboat.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** Reproducible pseudo-random data, generated as it is written, and SHA-256 digests of streams. */
final class TestData {
    static final int MiB = 1024 * 1024;

    private TestData() {
    }

    /**
     * Writes {@code size} bytes made from {@code seed} in writes of varying length (single bytes,
     * small and large arrays), and returns their SHA-256.
     */
    static String write(OutputStream out, long seed, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = sha256();
        byte[] chunk = new byte[MiB + 17];
        long left = size;
        int round = 0;
        while (left > 0) {
            if (round % 7 == 3) {
                byte b = (byte) random.nextInt();
                out.write(b);
                sha.update(b);
                left--;
            } else {
                int n = (int) Math.min(left, round % 3 == 0 ? 1000 : chunk.length);
                random.nextBytes(chunk);
                out.write(chunk, 0, n);
                sha.update(chunk, 0, n);
                left -= n;
            }
            round++;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Reads the stream to its end and returns its SHA-256; closes it. */
    static String sha256(InputStream in) throws IOException {
        try (in) {
            MessageDigest sha = sha256();
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
