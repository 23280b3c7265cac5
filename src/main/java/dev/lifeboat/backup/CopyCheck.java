package dev.lifeboat.backup;

import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.NoSuchObjectException;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;

/** Reads a stored copy back and compares it with what the manifest says it must be. */
public final class CopyCheck {
    private CopyCheck() {
    }

    /**
     * What is wrong with the object, or null if it is there with the expected size (and SHA-256, when
     * {@code sha256} is given: then every byte is read back).
     *
     * @throws IOException if the store could not be asked (unreachable): that says nothing about the copy
     */
    public static String problem(BlobStore store, String key, long size, String sha256, JobContext ctx) throws IOException {
        Optional<Long> actual = store.size(key);
        if (actual.isEmpty()) {
            return "object " + key + " is missing";
        }
        if (actual.get() != size) {
            return "object " + key + " has " + actual.get() + " bytes, expected " + size;
        }
        if (sha256 == null) {
            return null;
        }
        MessageDigest digest = DigestingOutputStream.newSha256();
        long read = 0;
        try (InputStream in = store.open(key)) {
            byte[] buf = new byte[256 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (ctx != null && ctx.isCancelled()) {
                    throw new JobCancelledException(ctx.stopReason());
                }
                digest.update(buf, 0, n);
                read += n;
            }
        } catch (NoSuchObjectException e) {
            return "object " + key + " is missing";
        }
        if (read != size) {
            return "object " + key + " gave " + read + " bytes when read, expected " + size;
        }
        String got = HexFormat.of().formatHex(digest.digest());
        if (!got.equals(sha256)) {
            return "object " + key + " has SHA-256 " + got + ", expected " + sha256;
        }
        return null;
    }
}
