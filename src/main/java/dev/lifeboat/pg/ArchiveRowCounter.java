package dev.lifeboat.pg;

import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Counts the rows of every table in a pg_dump custom-format archive ({@code pg_dump -Fc -Z0}) while the
 * archive streams by: tee pg_dump's output into it, in chunks of any size, then call {@link #result()}.
 * It keeps only what the archive's table of contents says (no data is buffered), and scans data at several
 * GB/s (eight bytes per step, see {@link CopyDataCounter#countNewlines}).
 *
 * <p>It never throws for a bad archive: an archive it cannot count (compressed, of a version it does not
 * know, not an archive at all, truncated, inconsistent) makes it stop reading and remember why;
 * {@link #result()} is then empty and {@link #unsupportedReason()} says why, for the log and the manifest.
 * A backup must not fail because of its counter. Not thread-safe: one writer, then {@code result()}.
 *
 * <h2>The format (PostgreSQL's src/bin/pg_dump)</h2>
 * Everything below is read as {@code pg_backup_archiver.c} (ReadHead, ReadToc, ReadInt, ReadStr,
 * ReadOffset) and {@code pg_backup_custom.c} (_ReadExtraToc, _readBlockHeader, _skipData, _skipLOs,
 * _CustomReadFunc) read it, for archive versions 1.12 to 1.16 (pg_dump 9.0 to 18; 12–15 write 1.14, 16
 * writes 1.15, 17 and 18 write 1.16):
 * <ul>
 * <li><b>int</b> (WriteInt): a sign byte (1 = negative) and {@code intSize} bytes of magnitude,
 * least significant first. <b>string</b> (WriteStr): an int length, -1 for NULL, then that many bytes.
 * <b>offset</b> (WriteOffset): a flag byte (1 = position not set, 2 = set, 3 = no data) and
 * {@code offSize} bytes.</li>
 * <li><b>Header</b> (WriteHead): {@code PGDMP}; version major, minor, revision bytes; intSize and offSize
 * bytes; the format byte (1 = custom; a directory archive's toc.dat says 3, tar); the compression: an
 * int level before 1.15 (0 = none, -1 = zlib's default), a byte algorithm from 1.15 (0 = none, 1 gzip,
 * 2 lz4, 3 zstd); seven ints of the creation date (sec, min, hour, mday, mon, year, isdst); strings:
 * the database name, the server version, pg_dump's version.</li>
 * <li><b>TOC</b> (WriteToc): an int entry count, then per entry: int dumpId, int hadDumper, strings
 * tableoid, oid, tag, desc, int section, strings defn, dropStmt, copyStmt, namespace, tablespace,
 * tableam (1.14+), int relkind (1.16+), string owner, string withOids ({@code "false"}), the
 * dependencies (dumpId strings ended by a NULL string), and the format's extra data: for custom
 * (_WriteExtraToc) an offset, for directory a file name string.</li>
 * <li><b>Data</b> (custom only, after the TOC, until the end of the file): blocks of a type byte and an
 * int dumpId (_StartData, _StartLOs). A {@code BLK_DATA} (1) block is chunks of an int length and that
 * many bytes, ended by length 0 (_CustomWriteFunc, _EndData). A {@code BLK_BLOBS} (3) block holds large
 * objects: an int oid, that object's chunks ended by length 0 (_StartLO, _EndLO), the next oid…, ended
 * by oid 0 (_EndLOs). Large objects are not rows: they are skipped. Blocks of a non-seekable output come
 * in TOC order, but nothing here relies on the order.</li>
 * </ul>
 * A {@code TABLE DATA} entry's block holds COPY text, one line per row and an end marker
 * ({@link CopyDataCounter}). Every TOC entry with a data dumper must get its block: an archive that ends
 * before one came (even exactly between two blocks) is truncated, and gives no counts.
 *
 * <p>Names (tag, namespace) are decoded as UTF-8, the encoding of Lifeboat's databases (pg_dump writes
 * them in the database's encoding).
 */
public final class ArchiveRowCounter extends OutputStream {
    /** The oldest archive version read: 1.12 (pg_dump 9.0), where BLOBS became TOC entries of their own. */
    static final int OLDEST = version(1, 12, 0);
    /** 1.14 (pg_dump 12) added {@code tableam} to TOC entries. */
    static final int K_VERS_1_14 = version(1, 14, 0);
    /** 1.15 (pg_dump 16) replaced the header's compression level int by a compression algorithm byte. */
    static final int K_VERS_1_15 = version(1, 15, 0);
    /** 1.16 (pg_dump 17) added {@code relkind} (an int) to TOC entries. */
    static final int K_VERS_1_16 = version(1, 16, 0);
    /** The newest version read: any revision of 1.16, as pg_restore's K_VERS_MAX. */
    static final int NEWEST = version(1, 16, 255);

    /** Format codes of the header (pg_backup.h, ArchiveFormat). */
    static final int ARCH_CUSTOM = 1;
    static final int ARCH_TAR = 3;
    /** Data block types (pg_backup_archiver.h). */
    static final int BLK_DATA = 1;
    static final int BLK_BLOBS = 3;
    /** Offset flags (pg_backup_archiver.h). */
    static final int K_OFFSET_POS_NOT_SET = 1;
    static final int K_OFFSET_NO_DATA = 3;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final byte[] MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
    private static final String[] ALGORITHMS = {"none", "gzip", "lz4", "zstd"};
    /** What a string that is skipped, not kept, reads as (only NULL or not matters for those). */
    private static final String NOT_KEPT = "";
    /** Longest string kept (names, desc, the COPY statement); longer ones are taken for corruption. */
    private static final int MAX_KEPT_STRING = 16 << 20;

    /** Which file this reads: a whole custom-format archive, or a directory archive's toc.dat. */
    enum Flavour {
        CUSTOM(ARCH_CUSTOM),
        DIRECTORY_TOC(ARCH_TAR);

        final int formatCode;

        Flavour(int formatCode) {
            this.formatCode = formatCode;
        }
    }

    /** How a field is encoded. */
    private enum Kind { MAGIC, BYTE, INT, STRING, OFFSET, CHUNK, END }

    /** Every field in the archive, in the order of ReadHead, ReadToc and the data blocks. */
    private enum Field {
        MAGIC(Kind.MAGIC), VERSION_MAJOR(Kind.BYTE), VERSION_MINOR(Kind.BYTE), VERSION_REV(Kind.BYTE),
        INT_SIZE(Kind.BYTE), OFF_SIZE(Kind.BYTE), FORMAT(Kind.BYTE),
        COMPRESSION_LEVEL(Kind.INT), COMPRESSION_ALGORITHM(Kind.BYTE), CREATE_DATE(Kind.INT),
        DATABASE_NAME(Kind.STRING), SERVER_VERSION(Kind.STRING), PG_DUMP_VERSION(Kind.STRING), TOC_COUNT(Kind.INT),

        DUMP_ID(Kind.INT), HAD_DUMPER(Kind.INT), TABLEOID(Kind.STRING), OID(Kind.STRING),
        TAG(Kind.STRING, true), DESC(Kind.STRING, true), SECTION(Kind.INT), DEFN(Kind.STRING),
        DROP_STMT(Kind.STRING), COPY_STMT(Kind.STRING, true), NAMESPACE(Kind.STRING, true),
        TABLESPACE(Kind.STRING), TABLEAM(Kind.STRING), RELKIND(Kind.INT), OWNER(Kind.STRING),
        WITH_OIDS(Kind.STRING, true), DEPENDENCY(Kind.STRING, true), DATA_OFFSET(Kind.OFFSET), FILENAME(Kind.STRING, true),

        BLOCK_TYPE(Kind.BYTE), BLOCK_DUMP_ID(Kind.INT), CHUNK_LENGTH(Kind.INT), CHUNK_DATA(Kind.CHUNK),
        BLOB_OID(Kind.INT),

        /** Nothing may follow (the end of toc.dat). */
        END(Kind.END);

        final Kind kind;
        /** Whether a string's bytes are kept (else skipped). */
        final boolean keep;

        Field(Kind kind) {
            this(kind, false);
        }

        Field(Kind kind, boolean keep) {
            this.kind = kind;
            this.keep = keep;
        }
    }

    /** A TOC entry with data: a TABLE DATA (table set) or a BLOBS entry. */
    private static final class DataEntry {
        final int dumpId;
        final String desc;
        final TableName table;
        final String filename;
        boolean seen;

        DataEntry(int dumpId, String desc, TableName table, String filename) {
            this.dumpId = dumpId;
            this.desc = desc;
            this.table = table;
            this.filename = filename;
        }

        String describe() {
            return desc + (table == null ? "" : " " + table) + " (dump id " + dumpId + ")";
        }
    }

    /** A TABLE DATA entry of a directory archive's toc.dat: the table and its data file's name. */
    record TableDataFile(int dumpId, TableName table, String filename) {
    }

    private final Flavour flavour;

    // Where the parser is: the field being read, and for fixed-size fields the bytes gathered so far.
    private Field field = Field.MAGIC;
    private int want = MAGIC.length;
    private int have;
    private byte[] scratch = new byte[64];
    /** Reading a string's bytes (after its length), {@code want} of them. */
    private boolean inStringBody;
    private long position;

    // The header.
    private int vmaj;
    private int vmin;
    private int version;
    private int intSize;
    private int offSize;
    private int dateIntsLeft;

    // The TOC.
    private int entriesLeft;
    private int entryIndex;
    private int dumpId;
    private boolean hadDumper;
    private String tag;
    private String desc;
    private String copyStmt;
    private String namespace;
    private final Map<Integer, DataEntry> dataEntries = new LinkedHashMap<>();
    private final Set<TableName> tables = new HashSet<>();

    // The data.
    private int blockType;
    private DataEntry block;
    private CopyDataCounter copyCounter;
    private int chunkLeft;
    private final Map<TableName, Long> rows = new LinkedHashMap<>();

    private String reason;
    private boolean closed;
    /** The byte where a custom archive's data section (its first data block) begins; -1 until known. */
    private long dataStart = -1;
    private final byte[] one = new byte[1];

    /** A counter for a custom-format archive ({@code pg_dump -Fc -Z0}). */
    public ArchiveRowCounter() {
        this(Flavour.CUSTOM);
    }

    ArchiveRowCounter(Flavour flavour) {
        this.flavour = flavour;
    }

    @Override
    public void write(int b) {
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** Reads the next bytes of the archive; never throws for a bad archive (it stops counting instead). */
    @Override
    public void write(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length); // a caller's bug, not a bad archive
        if (reason != null) {
            return;
        }
        if (closed) {
            fail("bytes were written after close()");
            return;
        }
        try {
            consume(b, off, off + len);
        } catch (RuntimeException e) {
            fail("the counter failed at byte " + position + ": " + e); // a bug here must not fail the backup
        }
    }

    /** Marks the end of the archive: {@link #result()} is final from here on. */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * The row counts, when the archive so far is complete and countable: every TOC entry's data was read
     * to its end. Empty, with {@link #unsupportedReason()} saying why, otherwise. Call it after the last
     * byte was written ({@link #close()} is not required, but nothing may be written after this answer).
     */
    public Optional<ArchiveCounts> result() {
        if (unsupportedReason() != null) {
            return Optional.empty();
        }
        return Optional.of(new ArchiveCounts(rows, versionString(version)));
    }

    /** Why {@link #result()} is empty (a sentence for a log line and the manifest); null when it is not. */
    public String unsupportedReason() {
        return reason != null ? reason : endProblem();
    }

    /**
     * Where the data section of an uncompressed custom archive begins (the byte after its table of
     * contents), once the counter has read that far without failing; -1 before, or for an archive it
     * cannot read (compressed, unknown version, corrupt).
     */
    long dataStart() {
        return reason != null ? -1 : dataStart;
    }

    /** Whether the counter stopped reading: the archive is one it cannot read. */
    boolean failed() {
        return reason != null;
    }

    /** The archive's size of an int in bytes (its header's intSize), once read; 0 before. */
    int intSize() {
        return intSize;
    }

    /** The archive's format version ({@code 1.14-0}), once the header was read; null before. */
    String archiveVersion() {
        return version == 0 ? null : versionString(version);
    }

    /** The TABLE DATA entries of a directory archive's toc.dat, after it was read whole. */
    List<TableDataFile> tableDataFiles() {
        List<TableDataFile> files = new ArrayList<>();
        for (DataEntry e : dataEntries.values()) {
            if (e.table != null) {
                files.add(new TableDataFile(e.dumpId, e.table, e.filename));
            }
        }
        return files;
    }

    // ---------------------------------------------------------------------------------------------
    // The byte loop

    private void consume(byte[] b, int off, int end) {
        while (off < end && reason == null) {
            if (field == Field.CHUNK_LENGTH && have == 0 && blockType == BLK_DATA && intSize == 4) {
                int next = wholeDataChunks(b, off, end);
                if (next != off) {
                    off = next;
                    continue;
                }
            }
            if (field == Field.CHUNK_DATA) {
                // The hot path: data bytes, counted (TABLE DATA) or skipped (anything else), never copied.
                int n = Math.min(chunkLeft, end - off);
                if (copyCounter != null) {
                    copyCounter.accept(b, off, n);
                }
                off += n;
                position += n;
                chunkLeft -= n;
                if (chunkLeft == 0) {
                    start(Field.CHUNK_LENGTH);
                }
            } else if (field == Field.END) {
                fail("toc.dat has " + (end - off) + " more bytes after its TOC");
            } else if (inStringBody) {
                int n = Math.min(want - have, end - off);
                if (field.keep) {
                    System.arraycopy(b, off, scratch, have, n);
                }
                have += n;
                off += n;
                position += n;
                if (have == want) {
                    inStringBody = false;
                    onString(field.keep ? new String(scratch, 0, have, StandardCharsets.UTF_8) : NOT_KEPT);
                }
            } else if (have == 0 && end - off >= want) {
                // The whole fixed-size field is at hand: decode it in place.
                int at = off;
                off += want;
                position += want;
                onFixed(b, at);
            } else {
                int n = Math.min(want - have, end - off);
                System.arraycopy(b, off, scratch, have, n);
                have += n;
                off += n;
                position += n;
                if (have == want) {
                    onFixed(scratch, 0);
                }
            }
        }
    }

    /**
     * The hottest loop: in a {@code BLK_DATA} block, the chunks (int length, then the bytes; pg_dump writes
     * one per row) that lie wholly in {@code b} are read here, without the general field machinery, when
     * ints are 4 bytes (sizeof(int) of every platform pg_dump runs on).
     * Stops at the first chunk that is not at hand whole, or whose length is not positive (the end of the
     * block, or corruption): {@link #consume} reads that one. Returns where it stopped.
     */
    private int wholeDataChunks(byte[] b, int off, int end) {
        CopyDataCounter counter = copyCounter;
        int start = off;
        while (end - off >= 5) {
            int len = (int) INT_LE.get(b, off + 1);
            if (b[off] != 0 || len <= 0 || len > end - off - 5) {
                break;
            }
            if (counter != null) {
                counter.accept(b, off + 5, len);
            }
            off += 5 + len;
        }
        position += off - start;
        return off;
    }

    /** Sets up the reading of {@code next}. */
    private void start(Field next) {
        field = next;
        have = 0;
        inStringBody = false;
        want = switch (next.kind) {
            case MAGIC -> MAGIC.length;
            case BYTE -> 1;
            case INT, STRING -> 1 + intSize; // a string starts with its length
            case OFFSET -> 1 + offSize;
            case CHUNK, END -> 0;
        };
    }

    /** A fixed-size field (or a string's length) is complete at {@code a[p]}. */
    private void onFixed(byte[] a, int p) {
        switch (field.kind) {
            case MAGIC -> onMagic(a, p);
            case BYTE -> onByte(a[p] & 0xFF);
            case OFFSET -> onOffset(a[p] & 0xFF);
            case INT -> {
                Integer v = decodeInt(a, p);
                if (v != null) {
                    onInt(v);
                }
            }
            case STRING -> {
                Integer len = decodeInt(a, p);
                if (len == null) {
                    return;
                }
                if (len == -1) {
                    onString(null);
                } else if (len < -1) {
                    fail("a string length of " + len + " at byte " + position + " (" + where() + "): the archive is corrupt");
                } else if (len == 0) {
                    onString("");
                } else if (field.keep && len > MAX_KEPT_STRING) {
                    fail("a " + field + " string of " + len + " bytes at byte " + position + " (" + where() + "): the archive is corrupt");
                } else {
                    if (field.keep && len > scratch.length) {
                        scratch = new byte[Math.max(len, scratch.length * 2)];
                    }
                    inStringBody = true;
                    want = len;
                    have = 0;
                }
            }
            default -> throw new IllegalStateException("no fixed-size field: " + field);
        }
    }

    /** ReadInt: a sign byte, then intSize bytes least significant first; null (and failed) if it is no int. */
    private Integer decodeInt(byte[] a, int p) {
        int sign = a[p] & 0xFF;
        long magnitude = 0;
        for (int i = 0; i < intSize; i++) {
            magnitude |= (long) (a[p + 1 + i] & 0xFF) << (8 * i);
        }
        if (sign > 1 || Long.compareUnsigned(magnitude, sign == 1 ? 1L << 31 : Integer.MAX_VALUE) > 0) {
            fail("no valid int at byte " + (position - want) + " (" + where() + "): the archive is corrupt");
            return null;
        }
        return (int) (sign == 1 ? -magnitude : magnitude);
    }

    // ---------------------------------------------------------------------------------------------
    // The grammar: what each field means and which field follows it

    private void onMagic(byte[] a, int p) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (a[p + i] != MAGIC[i]) {
                fail("not a pg_dump archive: it does not start with PGDMP"
                        + (flavour == Flavour.CUSTOM ? " (a custom-format archive, pg_dump -Fc, was expected)" : ""));
                return;
            }
        }
        start(Field.VERSION_MAJOR);
    }

    private void onByte(int v) {
        switch (field) {
            case VERSION_MAJOR -> {
                vmaj = v;
                start(Field.VERSION_MINOR);
            }
            case VERSION_MINOR -> {
                vmin = v;
                if (vmaj > 1 || (vmaj == 1 && vmin > 0)) {
                    start(Field.VERSION_REV); // ReadHead: only archives after 1.0 have a revision byte
                } else {
                    unsupportedVersion(version(vmaj, vmin, 0));
                }
            }
            case VERSION_REV -> {
                int v2 = version(vmaj, vmin, v);
                if (v2 < OLDEST || v2 > NEWEST) {
                    unsupportedVersion(v2);
                    return;
                }
                version = v2;
                start(Field.INT_SIZE);
            }
            case INT_SIZE -> {
                if (v < 1 || v > 8) {
                    fail("an integer size of " + v + " bytes in the header: the archive is corrupt");
                    return;
                }
                intSize = v;
                start(Field.OFF_SIZE); // 1.7+
            }
            case OFF_SIZE -> {
                if (v < 1 || v > 16) {
                    fail("an offset size of " + v + " bytes in the header: the archive is corrupt");
                    return;
                }
                offSize = v;
                start(Field.FORMAT);
            }
            case FORMAT -> {
                if (v != flavour.formatCode) {
                    fail(flavour == Flavour.CUSTOM
                            ? "not a custom-format archive (format code " + v + "; pg_dump -Fc writes " + ARCH_CUSTOM + ")"
                            : "toc.dat has format code " + v + " where a directory archive has " + ARCH_TAR);
                    return;
                }
                start(version >= K_VERS_1_15 ? Field.COMPRESSION_ALGORITHM : Field.COMPRESSION_LEVEL);
            }
            case COMPRESSION_ALGORITHM -> {
                if (v != 0) {
                    fail("the archive's data is compressed (" + (v < ALGORITHMS.length ? ALGORITHMS[v] : "algorithm " + v)
                            + "); rows are counted only in uncompressed archives (pg_dump -Z0)");
                    return;
                }
                startCreateDate();
            }
            case BLOCK_TYPE -> {
                if (v != BLK_DATA && v != BLK_BLOBS) {
                    fail("an unknown data block type " + v + " at byte " + (position - 1) + ": the archive is corrupt");
                    return;
                }
                blockType = v;
                start(Field.BLOCK_DUMP_ID);
            }
            default -> throw new IllegalStateException("no byte field: " + field);
        }
    }

    private void onInt(int v) {
        switch (field) {
            case COMPRESSION_LEVEL -> {
                if (v != 0) {
                    fail("the archive's data is compressed (gzip, level " + v + (v == -1 ? ", the default" : "")
                            + "); rows are counted only in uncompressed archives (pg_dump -Z0)");
                    return;
                }
                startCreateDate();
            }
            case CREATE_DATE -> {
                if (--dateIntsLeft > 0) {
                    start(Field.CREATE_DATE);
                } else {
                    start(Field.DATABASE_NAME); // 1.4+
                }
            }
            case TOC_COUNT -> {
                if (v < 0) {
                    fail("a TOC of " + v + " entries: the archive is corrupt");
                    return;
                }
                entriesLeft = v;
                nextEntryOrData();
            }
            case DUMP_ID -> {
                if (v <= 0) {
                    fail("TOC entry " + entryIndex + " has dump id " + v + ": the archive is corrupt");
                    return;
                }
                dumpId = v;
                start(Field.HAD_DUMPER);
            }
            case HAD_DUMPER -> {
                if (v != 0 && v != 1) {
                    fail("TOC entry " + entryIndex + " has hadDumper " + v + ": the archive is corrupt");
                    return;
                }
                hadDumper = v == 1;
                start(Field.TABLEOID); // 1.8+
            }
            case SECTION -> start(Field.DEFN);
            case RELKIND -> start(Field.OWNER);
            case BLOCK_DUMP_ID -> onBlockStart(v);
            case CHUNK_LENGTH -> {
                if (v < 0) {
                    fail("a data chunk of " + v + " bytes in " + block.describe() + ": the archive is corrupt");
                } else if (v > 0) {
                    field = Field.CHUNK_DATA;
                    chunkLeft = v;
                } else if (blockType == BLK_BLOBS) {
                    start(Field.BLOB_OID); // this large object's data ended; the next oid, or 0
                } else {
                    onBlockEnd();
                }
            }
            case BLOB_OID -> {
                if (v == 0) {
                    onBlockEnd(); // _EndLOs writes oid 0 after the last large object
                } else {
                    start(Field.CHUNK_LENGTH);
                }
            }
            default -> throw new IllegalStateException("no int field: " + field);
        }
    }

    private void onString(String s) {
        switch (field) {
            case DATABASE_NAME -> start(Field.SERVER_VERSION); // 1.10+
            case SERVER_VERSION -> start(Field.PG_DUMP_VERSION);
            case PG_DUMP_VERSION -> start(Field.TOC_COUNT);
            case TABLEOID -> start(Field.OID);
            case OID -> start(Field.TAG);
            case TAG -> {
                tag = s;
                start(Field.DESC);
            }
            case DESC -> {
                desc = s;
                start(Field.SECTION); // 1.11+
            }
            case DEFN -> start(Field.DROP_STMT);
            case DROP_STMT -> start(Field.COPY_STMT); // 1.3+
            case COPY_STMT -> {
                copyStmt = s;
                start(Field.NAMESPACE); // 1.6+
            }
            case NAMESPACE -> {
                namespace = s;
                start(Field.TABLESPACE); // 1.10+
            }
            case TABLESPACE -> start(version >= K_VERS_1_14 ? Field.TABLEAM : afterTableam());
            case TABLEAM -> start(afterTableam());
            case OWNER -> start(Field.WITH_OIDS); // 1.9+
            case WITH_OIDS -> {
                // Checked, as the dependencies below, because the fields before are not: a field too many or too
                // few would otherwise shift unnoticed into the list of dependencies.
                if (!"false".equals(s) && !"true".equals(s)) {
                    fail(where() + " has withOids '" + s + "' where 'false' belongs: the archive is inconsistent");
                    return;
                }
                start(Field.DEPENDENCY); // 1.5+
            }
            case DEPENDENCY -> {
                if (s == null) { // a NULL string ends the list
                    start(flavour == Flavour.CUSTOM ? Field.DATA_OFFSET : Field.FILENAME);
                } else if (s.isEmpty() || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    fail(where() + " has a dependency '" + s + "' where a dump id belongs: the archive is inconsistent");
                } else {
                    start(Field.DEPENDENCY);
                }
            }
            case FILENAME -> {
                String filename = s == null || s.isEmpty() ? null : s; // _ReadExtraToc: "" means no file
                if ((filename != null) != hadDumper) {
                    fail(where() + " has hadDumper " + hadDumper + " but data file '" + s + "': the archive is inconsistent");
                    return;
                }
                onEntryEnd(filename);
            }
            default -> throw new IllegalStateException("no string field: " + field);
        }
    }

    /** The custom format's extra TOC data: the data offset's flag (its offSize bytes are not needed). */
    private void onOffset(int flag) {
        if (flag < K_OFFSET_POS_NOT_SET || flag > K_OFFSET_NO_DATA) {
            fail("an unknown data offset flag " + flag + " in " + where() + ": the archive is corrupt");
            return;
        }
        if ((flag != K_OFFSET_NO_DATA) != hadDumper) {
            fail(where() + " has hadDumper " + hadDumper + " but data offset flag " + flag + ": the archive is inconsistent");
            return;
        }
        onEntryEnd(null);
    }

    private Field afterTableam() {
        return version >= K_VERS_1_16 ? Field.RELKIND : Field.OWNER;
    }

    private void startCreateDate() {
        dateIntsLeft = 7; // 1.4+: tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_isdst
        start(Field.CREATE_DATE);
    }

    /** One TOC entry was read whole. */
    private void onEntryEnd(String filename) {
        if (hadDumper) {
            TableName table = null;
            if ("TABLE DATA".equals(desc)) {
                if (tag == null || namespace == null) {
                    fail(where() + " is TABLE DATA without a table name or schema: the archive is inconsistent");
                    return;
                }
                table = new TableName(namespace, tag);
                if (copyStmt == null || !copyStmt.startsWith("COPY ")) {
                    fail("the data of table " + table + " is not COPY data (pg_dump --inserts?): its rows cannot be counted");
                    return;
                }
            }
            DataEntry entry = new DataEntry(dumpId, desc, table, filename);
            if (dataEntries.putIfAbsent(dumpId, entry) != null) {
                fail("two TOC entries have dump id " + dumpId + ": the archive is inconsistent");
                return;
            }
            if (table != null && !tables.add(table)) {
                fail("two TABLE DATA entries for table " + table + ": the archive is inconsistent");
                return;
            }
        }
        entriesLeft--;
        entryIndex++;
        nextEntryOrData();
    }

    private void nextEntryOrData() {
        tag = null;
        desc = null;
        copyStmt = null;
        namespace = null;
        if (entriesLeft > 0) {
            start(Field.DUMP_ID);
        } else if (flavour == Flavour.CUSTOM) {
            if (dataStart < 0) {
                dataStart = position;
            }
            start(Field.BLOCK_TYPE);
        } else {
            start(Field.END);
        }
    }

    private void onBlockStart(int id) {
        DataEntry entry = dataEntries.get(id);
        if (entry == null) {
            fail("a data block for dump id " + id + ", which no TOC entry with data has: the archive is inconsistent");
            return;
        }
        if (entry.seen) {
            fail("a second data block for " + entry.describe() + ": the archive is inconsistent");
            return;
        }
        entry.seen = true;
        block = entry;
        if (entry.table != null && blockType != BLK_DATA) {
            fail("the data of table " + entry.table + " is a block of type " + blockType + ": the archive is inconsistent");
            return;
        }
        copyCounter = entry.table != null ? new CopyDataCounter() : null;
        start(blockType == BLK_DATA ? Field.CHUNK_LENGTH : Field.BLOB_OID);
    }

    private void onBlockEnd() {
        if (copyCounter != null) {
            String problem = copyCounter.problem();
            if (problem != null) {
                fail("the rows of table " + block.table + " cannot be counted: " + problem);
                return;
            }
            rows.put(block.table, copyCounter.rows());
        }
        copyCounter = null;
        block = null;
        start(Field.BLOCK_TYPE);
    }

    // ---------------------------------------------------------------------------------------------
    // Ends and failures

    /** Null when the bytes so far are a whole archive, else why not. */
    private String endProblem() {
        boolean atEnd = flavour == Flavour.CUSTOM ? field == Field.BLOCK_TYPE && have == 0 : field == Field.END;
        if (!atEnd) {
            return (position == 0 ? "the archive is empty" : "the archive is truncated: it ends after " + position
                    + " bytes, in " + where());
        }
        for (DataEntry e : dataEntries.values()) {
            if (!e.seen && flavour == Flavour.CUSTOM) {
                return "the archive is truncated: it ends after " + position + " bytes, before the data of " + e.describe();
            }
        }
        return null;
    }

    /** Where the parser is, for messages. */
    private String where() {
        return switch (field) {
            case MAGIC, VERSION_MAJOR, VERSION_MINOR, VERSION_REV, INT_SIZE, OFF_SIZE, FORMAT, COMPRESSION_LEVEL,
                 COMPRESSION_ALGORITHM, CREATE_DATE, DATABASE_NAME, SERVER_VERSION, PG_DUMP_VERSION, TOC_COUNT -> "the header";
            case BLOCK_TYPE -> "the data, between blocks";
            case BLOCK_DUMP_ID -> "a data block header";
            case CHUNK_LENGTH, CHUNK_DATA, BLOB_OID -> "the data of " + (block == null ? "?" : block.describe());
            case END -> "the end of toc.dat";
            default -> "TOC entry " + (entryIndex + 1) + " of " + (entryIndex + entriesLeft)
                    + (dumpId > 0 && field != Field.DUMP_ID ? " (dump id " + dumpId + ")" : "");
        };
    }

    private void unsupportedVersion(int v) {
        fail("archive version " + versionString(v) + " is not supported (Lifeboat counts rows in versions "
                + versionString(OLDEST).replace("-0", "") + " to " + versionString(NEWEST).replace("-255", "")
                + ", written by pg_dump 9.0 to 18)");
    }

    /** Records the first reason only; from then on, bytes are ignored. */
    private void fail(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    static int version(int major, int minor, int rev) {
        return (major * 256 + minor) * 256 + rev;
    }

    /** {@code 1.14-0}, as pg_restore -l prints it (ARCHIVE_MAJOR, ARCHIVE_MINOR, ARCHIVE_REV). */
    static String versionString(int v) {
        return ((v >> 16) & 255) + "." + ((v >> 8) & 255) + "-" + (v & 255);
    }
}
