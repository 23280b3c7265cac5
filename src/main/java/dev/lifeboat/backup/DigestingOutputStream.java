package dev.lifeboat.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Passes bytes on while counting them and computing their SHA-256. {@link #close()} closes the
 * underlying stream only when asked to ({@code closeTarget}), so an encrypting stream can be finished
 * without committing or aborting the uploads beneath it.
 */
public final class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest sha256;
    private final boolean closeTarget;
    private long count;

    public DigestingOutputStream(OutputStream out, boolean closeTarget) {
        super(out);
        this.closeTarget = closeTarget;
        this.sha256 = newSha256();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        sha256.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        sha256.update(b, off, len);
        count += len;
    }

    public long count() {
        return count;
    }

    /** The hex SHA-256 of everything written; call once, after the last write. */
    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }

    @Override
    public void close() throws IOException {
        if (closeTarget) {
            out.close();
        } else {
            out.flush();
        }
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
