package dev.lifeboat.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * Writes the same bytes to several streams in turn (one upload per storage of a target), so one
 * pg_dump run feeds every copy. A failure of any stream fails the write: a backup is good only when
 * every copy is. {@link #close()} only flushes; the owner commits or aborts each upload itself.
 */
public final class FanOutOutputStream extends OutputStream {
    private final List<? extends OutputStream> targets;

    public FanOutOutputStream(List<? extends OutputStream> targets) {
        this.targets = List.copyOf(targets);
    }

    @Override
    public void write(int b) throws IOException {
        for (OutputStream t : targets) {
            t.write(b);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (OutputStream t : targets) {
            t.write(b, off, len);
        }
    }

    @Override
    public void flush() throws IOException {
        for (OutputStream t : targets) {
            t.flush();
        }
    }

    @Override
    public void close() throws IOException {
        flush();
    }
}
