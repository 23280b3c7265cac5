package dev.lifeboat.backup;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The archive as pg_dump wrote it, on its way to compression and encryption: counts its bytes, and
 * shows every byte to a reader beside the pipeline (the row counter), which never fails a write.
 * Closing it closes the pipeline (compression writes its last frame, encryption its last chunk).
 */
final class ArchiveTap extends FilterOutputStream {
    private final OutputStream side;
    private long count;

    /** @param side also sees every byte, or null */
    ArchiveTap(OutputStream out, OutputStream side) {
        super(out);
        this.side = side;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        if (side != null) {
            side.write(b, off, len);
        }
        count += len;
    }

    /** Bytes of the archive so far. */
    long count() {
        return count;
    }

    @Override
    public void close() throws IOException {
        try {
            out.close();
        } finally {
            if (side != null) {
                side.close();
            }
        }
    }
}
