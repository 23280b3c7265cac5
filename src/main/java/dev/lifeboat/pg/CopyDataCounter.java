package dev.lifeboat.pg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Counts the rows of one table's data as pg_dump stores it in an uncompressed archive (a custom-format
 * data block, or a directory-format {@code <dumpId>.dat} file), fed in pieces of any size.
 *
 * <p>The data is the text that {@code COPY … TO stdout} sends, one row per line: pg_dump's
 * {@code dumpTableData_copy} (src/bin/pg_dump/pg_dump.c) writes each row it gets from
 * {@code PQgetCopyData} with {@code WriteData}, and COPY's text format escapes every newline, carriage
 * return and backslash inside a value ({@code \n}, {@code \r}, {@code \\}), so a raw {@code '\n'} byte
 * only ever ends a row. A row of a table without columns is an empty line.
 *
 * <p>After the last row, {@code dumpTableData_copy} writes the end-of-data marker into the same data with
 * {@code archprintf(fout, "\\.\n\n\n")}: a line {@code \.} and two empty lines, three newlines that are
 * not rows (pg_dump.c writes it so in every version up to 18 at least, and pg_dump 15's archives show it;
 * an empty table's data is that marker alone). So rows = newlines − 3, and {@link #problem()} insists
 * that the data ends with exactly that marker at the start of a line: a value {@code \.} is stored as
 * {@code \\.}, so the marker cannot be confused with data, and data that ends any other way (truncated,
 * or a pg_dump that stores data differently) gives no count rather than a wrong one.
 */
final class CopyDataCounter {
    /** The end-of-data marker after the last row: {@code \.} and two empty lines. */
    static final String END_MARKER = "\\.\n\n\n";
    /** The marker's newlines, which are not rows. */
    static final int END_MARKER_NEWLINES = 3;
    /** The last 5 bytes of the data, {@code \.\n\n\n}, as a big-endian number. */
    private static final long MARKER = 0x5C_2E_0A_0A_0AL;
    /** The last 6 bytes when a row precedes the marker: {@code \n\.\n\n\n}. */
    private static final long NEWLINE_MARKER = 0x0A_5C_2E_0A_0A_0AL;

    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final long LOW7 = 0x7F7F7F7F7F7F7F7FL;

    private long newlines;
    private long length;
    /** The last (up to) 8 bytes seen, the most recent in the lowest byte. */
    private long tail;

    /** Takes the next {@code len} bytes of the data. */
    void accept(byte[] b, int off, int len) {
        newlines += countNewlines(b, off, len);
        length += len;
        if (len >= 8) {
            tail = (long) LONG_BE.get(b, off + len - 8);
        } else {
            for (int i = off; i < off + len; i++) {
                tail = (tail << 8) | (b[i] & 0xFF);
            }
        }
    }

    /** Null when the data seen so far is complete (ends with the end-of-data marker), else what is wrong. */
    String problem() {
        boolean complete = length == END_MARKER.length() ? (tail & 0xFF_FF_FF_FF_FFL) == MARKER
                : length > END_MARKER.length() && (tail & 0xFF_FF_FF_FF_FF_FFL) == NEWLINE_MARKER;
        return complete ? null : "its data (" + length + " bytes) does not end with COPY's end-of-data line \\.";
    }

    /** The rows: newlines less the end marker's. Only meaningful when {@link #problem()} is null. */
    long rows() {
        return newlines - END_MARKER_NEWLINES;
    }

    /**
     * The number of {@code '\n'} bytes in {@code b[off, off + len)}, eight bytes at a time: in
     * {@code x = word ^ 0x0A0A…}, a byte is zero exactly where the word held a newline, and
     * {@code ~(((x & 0x7F7F…) + 0x7F7F…) | x | 0x7F7F…)} sets the high bit of exactly those bytes (the
     * addition sets it for a non-zero low 7 bits and cannot carry into the next byte; {@code | x} sets it
     * for a set high bit), so a bit count counts them.
     */
    static long countNewlines(byte[] b, int off, int len) {
        long count = 0;
        int i = off;
        int end = off + len;
        for (; i <= end - 8; i += 8) {
            long x = (long) LONG_LE.get(b, i) ^ NEWLINES;
            count += Long.bitCount(~(((x & LOW7) + LOW7) | x | LOW7));
        }
        for (; i < end; i++) {
            if (b[i] == '\n') {
                count++;
            }
        }
        return count;
    }
}
