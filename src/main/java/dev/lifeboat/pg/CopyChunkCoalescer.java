package dev.lifeboat.pg;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Passes a {@code pg_dump -Fc -Z0} archive on to {@code pg_restore} with the chunks of each table's data
 * joined into chunks of up to {@value #CHUNK} bytes. Without compression pg_dump writes every COPY row as
 * a chunk of its own, and pg_restore sends each chunk to the server as a CopyData message: ten million
 * rows are ten million messages. COPY data may be split anywhere, so fewer, larger chunks restore the same
 * rows with less work for pg_restore and the server (a gzip archive's inflated blocks arrive that way).
 *
 * <p>Only the data blocks ({@code BLK_DATA}) change; the header, the table of contents and large objects
 * ({@code BLK_BLOBS}) pass as they are. The TOC is read by an {@link ArchiveRowCounter}; an archive it
 * cannot read (compressed, of an unknown version, not an archive) passes through untouched, and so does
 * everything after anything unexpected in the data. Only for a stream pg_restore reads in order: the
 * data moves, so data offsets a TOC may hold would no longer point at their blocks (pg_dump writing to a
 * pipe, as Lifeboat runs it, records none).
 */
public final class CopyChunkCoalescer extends OutputStream {
    /** The largest chunk written. */
    static final int CHUNK = 256 * 1024;
    private static final int BLK_DATA = 1;
    private static final int BLK_BLOBS = 3;

    private enum State { TOC, BLOCK_TYPE, BLOCK_ID, DATA_LENGTH, DATA, BLOB_OID, BLOB_LENGTH, BLOB_DATA, PASS }

    private final OutputStream out;
    private final ArchiveRowCounter toc = new ArchiveRowCounter();
    private State state = State.TOC;
    private long seen;
    private int intSize;
    private int blockType;
    /** The int being read (sign byte and intSize bytes), and how much of it is here. */
    private byte[] intBytes;
    private int intHave;
    private long left;
    private final byte[] joined = new byte[CHUNK];
    private int joinedLength;
    private final byte[] one = new byte[1];
    private boolean closed;

    public CopyChunkCoalescer(OutputStream out) {
        this.out = Objects.requireNonNull(out);
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (state == State.TOC) {
            toc.write(b, off, len);
            long start = toc.dataStart();
            if (toc.failed()) {
                state = State.PASS;
            } else if (start >= 0) {
                int head = (int) (start - seen);
                out.write(b, off, head);
                intSize = toc.intSize();
                intBytes = new byte[1 + intSize];
                state = State.BLOCK_TYPE;
                seen += head;
                off += head;
                len -= head;
            } else {
                out.write(b, off, len);
                seen += len;
                return;
            }
        }
        if (state == State.PASS) {
            out.write(b, off, len);
            return;
        }
        data(b, off, off + len);
    }

    private void data(byte[] b, int off, int end) throws IOException {
        while (off < end) {
            switch (state) {
                case BLOCK_TYPE -> {
                    int type = b[off] & 0xFF;
                    if (type != BLK_DATA && type != BLK_BLOBS) {
                        pass(b, off, end);
                        return;
                    }
                    out.write(b, off, 1);
                    off++;
                    state = State.BLOCK_ID;
                    intHave = 0;
                    blockType = type;
                }
                case BLOCK_ID, BLOB_OID, BLOB_LENGTH, DATA_LENGTH -> {
                    int n = Math.min(intBytes.length - intHave, end - off);
                    System.arraycopy(b, off, intBytes, intHave, n);
                    intHave += n;
                    off += n;
                    if (intHave == intBytes.length) {
                        intHave = 0;
                        if (!onInt()) {
                            pass(b, off, end);
                            return;
                        }
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(left, Math.min(end - off, CHUNK - joinedLength));
                    System.arraycopy(b, off, joined, joinedLength, n);
                    joinedLength += n;
                    left -= n;
                    off += n;
                    if (joinedLength == CHUNK) {
                        flushJoined();
                    }
                    if (left == 0) {
                        state = State.DATA_LENGTH;
                    }
                }
                case BLOB_DATA -> {
                    int n = (int) Math.min(left, end - off);
                    out.write(b, off, n);
                    left -= n;
                    off += n;
                    if (left == 0) {
                        state = State.BLOB_LENGTH;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
    }

    /** A whole int was read in {@link #intBytes}; false when it makes no sense here (then nothing more is changed). */
    private boolean onInt() throws IOException {
        int sign = intBytes[0] & 0xFF;
        long v = 0;
        for (int i = intSize; i >= 1; i--) {
            v = (v << 8) | (intBytes[i] & 0xFF);
        }
        if (sign > 1 || v > Integer.MAX_VALUE) {
            return false;
        }
        if (sign == 1) {
            v = -v;
        }
        switch (state) {
            case BLOCK_ID -> {
                out.write(intBytes);
                state = blockType == BLK_DATA ? State.DATA_LENGTH : State.BLOB_OID;
            }
            case DATA_LENGTH -> {
                if (v < 0) {
                    return false;
                }
                if (v == 0) { // the block's end
                    flushJoined();
                    out.write(intBytes);
                    state = State.BLOCK_TYPE;
                } else {
                    left = v;
                    state = State.DATA;
                }
            }
            case BLOB_OID -> {
                out.write(intBytes);
                state = v == 0 ? State.BLOCK_TYPE : State.BLOB_LENGTH;
            }
            case BLOB_LENGTH -> {
                if (v < 0) {
                    return false;
                }
                out.write(intBytes);
                left = v;
                state = v == 0 ? State.BLOB_OID : State.BLOB_DATA;
            }
            default -> throw new IllegalStateException(state.name());
        }
        return true;
    }

    /** Something unexpected: what was joined so far goes out as a chunk, then the int read and all the rest as they are. */
    private void pass(byte[] b, int off, int end) throws IOException {
        boolean midInt = state == State.BLOCK_ID || state == State.BLOB_OID || state == State.BLOB_LENGTH || state == State.DATA_LENGTH;
        flushJoined();
        if (midInt) {
            out.write(intBytes);
        }
        state = State.PASS;
        out.write(b, off, end - off);
    }

    private void flushJoined() throws IOException {
        if (joinedLength == 0) {
            return;
        }
        byte[] length = new byte[1 + intSize]; // once per 256 KiB at most
        for (int i = 1, v = joinedLength; i <= intSize; i++, v >>>= 8) {
            length[i] = (byte) v;
        }
        out.write(length);
        out.write(joined, 0, joinedLength);
        joinedLength = 0;
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Writes what was joined of a block the archive ended in (a truncated archive stays truncated, no byte lost), then closes. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushJoined();
            if (intHave > 0) { // the archive ended inside an int: pass its bytes on as they were
                out.write(intBytes, 0, intHave);
            }
        } finally {
            out.close();
        }
    }
}
