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
    private volatile IOException failure;

    public FanOutOutputStream(List<? extends OutputStream> targets) {
        this.targets = List.copyOf(targets);
    }

    /**
     * The first error a target threw. Streams stacked above (age encryption) may replace it with an
     * error of their own ("write chunk failed"); this keeps the storage's, which says what went wrong.
     */
    public IOException failure() {
        return failure;
    }

    @Override
    public void write(int b) throws IOException {
        for (OutputStream t : targets) {
            try {
                t.write(b);
            } catch (IOException e) {
                throw remember(e);
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (OutputStream t : targets) {
            try {
                t.write(b, off, len);
            } catch (IOException e) {
                throw remember(e);
            }
        }
    }

    private IOException remember(IOException e) {
        if (failure == null) {
            failure = e;
        }
        return e;
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
