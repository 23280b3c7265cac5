package dev.lifeboat.pg;

import dev.lifeboat.support.PgCompare;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Row counts read from real pg_dump archives ({@link ArchiveRowCounter} for {@code -Fc -Z0} streamed,
 * {@link DirectoryArchiveCounter} for {@code -Fd -Z0 -j 2}) equal the counts {@link SnapshotSession} takes
 * with {@code count(*) FROM ONLY} in the same snapshot, on a database with every awkward case: text
 * with newlines, carriage returns, backslashes, tabs, values {@code \.} and lines starting with it;
 * bytea; empty tables; a partitioned table with a sub-partitioned partition and a default partition;
 * quoted names (spaces, capitals, a quote, a dot, unicode, keywords) in several schemas; large objects
 * (one with newlines, one spanning several chunks, an empty one); an unlogged table; a table without
 * columns; old-style inheritance; a generated column; 200,000 rows in one table. And archives that
 * cannot be counted (compressed, garbage, truncated anywhere, an unknown version) give no counts and
 * a reason, never an exception.
 */
class ArchiveRowCounterTest {
    static final String DB = "lbt_counts_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    static final TableName BIG = new TableName("public", "big");
    static final int BIG_ROWS = 200_000;

    static PgConnectInfo info;
    static PgTools.Tool pgDump;
    /** The whole database as {@code pg_dump -Fc -Z0}, and the counter that read it as pg_dump wrote it. */
    static Dump full;

    /** An archive and the snapshot's counts of the same data, keyed as the archive names tables. */
    record Dump(byte[] archive, Map<TableName, Long> expected, ArchiveRowCounter streamed) {
    }

    @BeforeAll
    static void createDatabase() throws Exception {
        PgTestDb.execIn("lifeboat_test", "CREATE DATABASE " + DB);
        PgTestDb.execIn(DB,
                "CREATE SCHEMA \"My Schema\"",
                "CREATE SCHEMA \"select\"",
                "CREATE SCHEMA \"Ünï.cødé\"",
                // text with every character COPY escapes, \. as a value and at the start of lines
                "CREATE TABLE public.texts (id int, t text)",
                "INSERT INTO public.texts VALUES (1, E'two\\nlines'), (2, E'carriage\\rreturn'), (3, E'back\\\\slash'),"
                        + " (4, E'tab\\there'), (5, E'\\\\.'), (6, E'\\\\.starts a line'), (7, E'in the middle\\n\\\\.\\nof a value'),"
                        + " (8, E'\\\\.\\n'), (9, ''), (10, NULL), (11, E'\\r\\n\\\\.\\r\\n'), (12, E'ends with a backslash\\\\'),"
                        + " (13, E'\\n\\n\\n'), (14, E'\\\\.\\n\\n\\n')",
                // one column: these rows' lines are exactly \\. (an escaped \.), empty, \n
                "CREATE TABLE public.dots (t text)",
                "INSERT INTO public.dots VALUES (E'\\\\.'), (E'\\\\.'), (''), (E'\\n'), (E'\\\\.\\n\\n\\n')",
                "CREATE TABLE public.bin (id int, b bytea)",
                // empty tables
                "CREATE TABLE public.empty_one (a int)",
                "CREATE TABLE \"My Schema\".\"Empty Too\" (x text)",
                // partitioned: the parents hold nothing themselves, the leaves are counted
                "CREATE TABLE public.measurements (id int, region text, v text) PARTITION BY LIST (region)",
                "CREATE TABLE public.m_eu PARTITION OF public.measurements FOR VALUES IN ('eu')",
                "CREATE TABLE public.m_us PARTITION OF public.measurements FOR VALUES IN ('us') PARTITION BY RANGE (id)",
                "CREATE TABLE public.m_us_low PARTITION OF public.m_us FOR VALUES FROM (MINVALUE) TO (1000)",
                "CREATE TABLE public.m_us_high PARTITION OF public.m_us FOR VALUES FROM (1000) TO (MAXVALUE)",
                "CREATE TABLE \"My Schema\".\"m default\" PARTITION OF public.measurements DEFAULT",
                "INSERT INTO public.measurements SELECT g, (ARRAY['eu', 'us', 'apac', 'us', 'eu'])[g % 5 + 1], E'v\\n' || g"
                        + " FROM generate_series(1, 3001) g",
                // quoted names
                "CREATE TABLE \"My Schema\".\"Weird.Name\" (\"Select\" int)",
                "INSERT INTO \"My Schema\".\"Weird.Name\" SELECT g FROM generate_series(1, 5) g",
                "CREATE TABLE \"My Schema\".\"Quote\"\"Here\" (a int)",
                "INSERT INTO \"My Schema\".\"Quote\"\"Here\" VALUES (1), (2)",
                "CREATE TABLE \"My Schema\".\"Mixed Case Table\" (a int)",
                "INSERT INTO \"My Schema\".\"Mixed Case Table\" VALUES (1), (2), (3)",
                "CREATE TABLE \"Ünï.cødé\".\"ταβλή ☃\" (a text)",
                "INSERT INTO \"Ünï.cødé\".\"ταβλή ☃\" VALUES ('ü'), (E'☃\\n☃'), ('é'), ('ß')",
                "CREATE TABLE \"select\".\"select\" (\"from\" int)",
                "INSERT INTO \"select\".\"select\" SELECT g FROM generate_series(1, 6) g",
                "CREATE TABLE public.\"table\" (a int)",
                "INSERT INTO public.\"table\" VALUES (7)",
                // large objects: not rows, skipped (one with newlines, one over several chunks, an empty one)
                "SELECT lo_from_bytea(0, convert_to('plain', 'UTF8'))",
                "SELECT lo_from_bytea(0, convert_to(E'line one\\nline two\\n\\n\\\\.\\n', 'UTF8'))",
                "SELECT lo_from_bytea(0, convert_to(repeat(E'row\\n', 5000), 'UTF8'))",
                "SELECT lo_from_bytea(0, ''::bytea)",
                "CREATE UNLOGGED TABLE public.cache (k text)",
                "INSERT INTO public.cache VALUES ('a'), ('b'), ('c')",
                // no columns: each row is an empty line
                "CREATE TABLE public.z ()",
                "INSERT INTO public.z DEFAULT VALUES", "INSERT INTO public.z DEFAULT VALUES",
                "INSERT INTO public.z DEFAULT VALUES", "INSERT INTO public.z DEFAULT VALUES",
                "CREATE TABLE public.z_empty ()",
                // old-style inheritance: FROM ONLY, as COPY reads it
                "CREATE TABLE public.inh_parent (a int)",
                "CREATE TABLE public.inh_child () INHERITS (public.inh_parent)",
                "INSERT INTO public.inh_parent VALUES (1), (2)",
                "INSERT INTO public.inh_child VALUES (3), (4), (5)",
                "CREATE TABLE public.gen (a int, b int GENERATED ALWAYS AS (a * 2) STORED)",
                "INSERT INTO public.gen (a) SELECT g FROM generate_series(1, 9) g",
                // not tables: no TABLE DATA
                "CREATE MATERIALIZED VIEW public.mv AS SELECT * FROM public.texts",
                "CREATE VIEW public.v AS SELECT * FROM public.texts",
                "CREATE SEQUENCE public.seq", "SELECT nextval('public.seq')",
                // many rows, so the data spans many chunks (pg_dump writes one chunk per row)
                "CREATE TABLE public.big (id int, payload text)",
                "INSERT INTO public.big SELECT g, CASE WHEN g % 5 = 0 THEN E'multi\\nline\\\\.' ELSE md5(g::text) END"
                        + " FROM generate_series(1, " + BIG_ROWS + ") g");
        Random random = new Random(42);
        try (Connection c = PgTestDb.connect(DB); PreparedStatement ps = c.prepareStatement("INSERT INTO public.bin VALUES (?, ?)")) {
            for (int i = 0; i < 300; i++) {
                byte[] bytes = new byte[random.nextInt(3000)];
                random.nextBytes(bytes);
                if (i == 0) {
                    Arrays.fill(bytes, (byte) '\n');
                }
                ps.setInt(1, i);
                ps.setBytes(2, bytes);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        info = PgTestDb.info(DB);
        pgDump = new PgTools(PgTools.defaultBinDirs()).pgDump(ServerInfo.probe(info));
        full = dumpCustom(List.of("-Z0"));
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + DB + " WITH (FORCE)");
    }

    @Test
    void theCustomArchiveStreamedFromPgDumpHasTheSnapshotsCounts() {
        Map<TableName, Long> expected = full.expected();
        // The database is what this test says it is (so that equal maps mean something)...
        assertThat(expected).contains(
                entry(BIG, (long) BIG_ROWS),
                entry(new TableName("public", "texts"), 14L),
                entry(new TableName("public", "dots"), 5L),
                entry(new TableName("public", "bin"), 300L),
                entry(new TableName("public", "empty_one"), 0L),
                entry(new TableName("My Schema", "Empty Too"), 0L),
                entry(new TableName("public", "m_eu"), 1200L),
                entry(new TableName("public", "m_us_low"), 400L),
                entry(new TableName("public", "m_us_high"), 801L),
                entry(new TableName("My Schema", "m default"), 600L),
                entry(new TableName("My Schema", "Weird.Name"), 5L),
                entry(new TableName("My Schema", "Quote\"Here"), 2L),
                entry(new TableName("My Schema", "Mixed Case Table"), 3L),
                entry(new TableName("Ünï.cødé", "ταβλή ☃"), 4L),
                entry(new TableName("select", "select"), 6L),
                entry(new TableName("public", "table"), 1L),
                entry(new TableName("public", "cache"), 3L),
                entry(new TableName("public", "z"), 4L),
                entry(new TableName("public", "z_empty"), 0L),
                entry(new TableName("public", "inh_parent"), 2L),
                entry(new TableName("public", "inh_child"), 3L),
                entry(new TableName("public", "gen"), 9L));
        assertThat(expected).doesNotContainKeys(new TableName("public", "measurements"), new TableName("public", "m_us"),
                new TableName("public", "mv"), new TableName("public", "v"));
        // ...and the archive holds large objects and chunks of data.
        assertThat(new String(full.archive(), StandardCharsets.ISO_8859_1)).contains("BLOBS").contains("line two");

        // The counter fed as pg_dump wrote, in whatever pieces the pipe gave.
        ArchiveCounts counts = full.streamed().result().orElseThrow(() -> new AssertionError(full.streamed().unsupportedReason()));
        assertThat(counts.rows()).isEqualTo(expected);
        assertThat(counts.archiveVersion()).matches("1\\.1[456]-0");
        assertThat(full.streamed().unsupportedReason()).isNull();
    }

    /**
     * {@link CopyChunkCoalescer}: the archive pg_restore gets has the table data in a few large chunks
     * instead of one per row, the same rows (counted), and restores into a database identical to the
     * source, whatever pieces the archive arrives in.
     */
    @Test
    void coalescedChunksRestoreTheSameDatabase() throws Exception {
        byte[] original = full.archive();
        Random random = new Random(11);
        for (int max : new int[] {1 << 20, 4096, 7}) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            try (CopyChunkCoalescer c = new CopyChunkCoalescer(joined)) {
                for (int off = 0; off < original.length; ) {
                    int n = Math.min(original.length - off, 1 + random.nextInt(max));
                    c.write(original, off, n);
                    off += n;
                }
            }
            byte[] out = joined.toByteArray();
            assertThat((long) original.length - out.length).as("a 5-byte chunk header per row is gone (pieces of at most " + max + ")")
                    .isGreaterThan(5L * BIG_ROWS - 5L * 1000);
            ArchiveRowCounter counter = new ArchiveRowCounter();
            counter.write(out);
            assertThat(counter.result().orElseThrow(() -> new AssertionError(counter.unsupportedReason())).rows()).isEqualTo(full.expected());
        }
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        try (CopyChunkCoalescer c = new CopyChunkCoalescer(joined)) {
            c.write(original);
        }
        String restored = DB + "_joined";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        PgTestDb.execIn("lifeboat_test", "CREATE DATABASE " + restored);
        try {
            PgCompare.runTool("pg_restore", restored, List.of("--exit-on-error", "-d", restored),
                    new java.io.ByteArrayInputStream(joined.toByteArray()));
            assertThat(PgCompare.compare(DB, restored)).as("differences between the source and the restored copy").isEmpty();
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
    }

    @Test
    void archivesTheCoalescerCannotReadPassUntouched() throws Exception {
        byte[] gzip = dumpCustom(List.of()).archive(); // pg_dump's default: compressed
        byte[] garbage = "PGDMP but not really an archive at all, just text".getBytes(StandardCharsets.US_ASCII);
        byte[] truncated = Arrays.copyOf(full.archive(), full.archive().length / 2);
        for (byte[] a : List.of(gzip, garbage, truncated)) {
            ByteArrayOutputStream passed = new ByteArrayOutputStream();
            try (CopyChunkCoalescer c = new CopyChunkCoalescer(passed)) {
                for (int off = 0; off < a.length; off += 1000) {
                    c.write(a, off, Math.min(1000, a.length - off));
                }
            }
            if (a == truncated) {
                // joined, but not one byte of data lost: the counter finds the same place cut short
                ArchiveRowCounter counter = new ArchiveRowCounter();
                counter.write(passed.toByteArray());
                assertThat(counter.result()).isEmpty();
                assertThat(counter.unsupportedReason()).contains("truncated");
            } else {
                assertThat(passed.toByteArray()).isEqualTo(a);
            }
        }
    }

    @Test
    void randomChunkSizesGiveTheSameCounts() {
        Random random = new Random(7);
        int[] maxChunks = {1 << 18, 4096, 64, 9};
        for (int round = 0; round < 8; round++) {
            int max = maxChunks[round % maxChunks.length];
            ArchiveRowCounter counter = new ArchiveRowCounter();
            byte[] a = full.archive();
            for (int off = 0; off < a.length; ) {
                int n = Math.min(a.length - off, 1 + random.nextInt(max));
                counter.write(a, off, n);
                off += n;
            }
            counter.close();
            assertThat(counter.result()).as("chunks of up to %d bytes: %s", max, counter.unsupportedReason())
                    .get().extracting(ArchiveCounts::rows).isEqualTo(full.expected());
        }
    }

    @Test
    void oneByteWritesCountAndTablesWithoutDataAreAbsent() throws Exception {
        Dump small = dumpCustom(List.of("-Z0", "--exclude-table-data=public.big"));
        ArchiveRowCounter counter = new ArchiveRowCounter();
        for (byte b : small.archive()) {
            counter.write(b);
        }
        counter.close();
        Map<TableName, Long> rows = counter.result().orElseThrow(() -> new AssertionError(counter.unsupportedReason())).rows();
        Map<TableName, Long> expected = new HashMap<>(small.expected());
        assertThat(expected.remove(BIG)).isEqualTo(BIG_ROWS);
        assertThat(rows).isEqualTo(expected).doesNotContainKey(BIG);
    }

    @Test
    void theDirectoryArchiveOfTwoJobsHasTheSnapshotsCounts(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("dump");
        Map<TableName, Long> expected = dumpDirectory(dir, List.of("-Z0", "--jobs=2"));
        List<String> reasons = new ArrayList<>();
        Optional<ArchiveCounts> counts = DirectoryArchiveCounter.count(dir, reasons::add);
        assertThat(reasons).isEmpty();
        assertThat(counts).get().extracting(ArchiveCounts::rows).isEqualTo(expected);
        assertThat(expected).containsEntry(BIG, (long) BIG_ROWS).containsEntry(new TableName("public", "z"), 4L);
        assertThat(counts.get().archiveVersion()).matches("1\\.1[456]-0");

        // A data file that does not end as COPY data ends: no counts.
        Path someData;
        try (var files = Files.list(dir)) {
            someData = files.filter(p -> p.getFileName().toString().matches("\\d+\\.dat")).findFirst().orElseThrow();
        }
        byte[] data = Files.readAllBytes(someData);
        Files.write(someData, Arrays.copyOf(data, data.length - 1));
        assertThat(DirectoryArchiveCounter.count(dir, reasons::add)).isEmpty();
        assertThat(reasons).singleElement().asString().contains("does not end with COPY's end-of-data line");
    }

    @Test
    void compressedArchivesAreNotCounted(@TempDir Path tmp) throws Exception {
        Dump compressed = dumpCustom(List.of()); // pg_dump's default: compressed
        assertThat(compressed.streamed().result()).isEmpty();
        assertThat(compressed.streamed().unsupportedReason()).contains("compressed").contains("pg_dump -Z0");

        Path dir = tmp.resolve("dump");
        dumpDirectory(dir, List.of());
        List<String> reasons = new ArrayList<>();
        assertThat(DirectoryArchiveCounter.count(dir, reasons::add)).isEmpty();
        assertThat(reasons).singleElement().asString().contains("compressed").contains("pg_dump -Z0");
    }

    @Test
    void garbageIsNotAnArchive(@TempDir Path tmp) throws Exception {
        byte[] garbage = new byte[100_000];
        new Random(1).nextBytes(garbage);
        ArchiveRowCounter counter = new ArchiveRowCounter();
        counter.write(garbage);
        counter.close();
        assertThat(counter.result()).isEmpty();
        assertThat(counter.unsupportedReason()).startsWith("not a pg_dump archive");

        ArchiveRowCounter empty = new ArchiveRowCounter();
        empty.close();
        assertThat(empty.result()).isEmpty();
        assertThat(empty.unsupportedReason()).isEqualTo("the archive is empty");

        // A plain SQL dump is not an archive either.
        ArchiveRowCounter plain = new ArchiveRowCounter();
        plain.write("--\n-- PostgreSQL database dump\n--\n".getBytes(StandardCharsets.UTF_8));
        assertThat(plain.result()).isEmpty();
        assertThat(plain.unsupportedReason()).startsWith("not a pg_dump archive");

        // The magic, then garbage: no exception, no counts.
        ArchiveRowCounter magic = new ArchiveRowCounter();
        magic.write("PGDMP".getBytes(StandardCharsets.US_ASCII));
        magic.write(Arrays.copyOf(full.archive(), 12), 5, 7); // the real version and sizes
        magic.write(garbage);
        assertThat(magic.result()).isEmpty();
        assertThat(magic.unsupportedReason()).isNotBlank();

        List<String> reasons = new ArrayList<>();
        assertThat(DirectoryArchiveCounter.count(tmp, reasons::add)).isEmpty();
        assertThat(reasons).singleElement().asString().contains("no toc.dat");
        Files.write(tmp.resolve("toc.dat"), garbage);
        assertThat(DirectoryArchiveCounter.count(tmp, reasons::add)).isEmpty();
        assertThat(reasons).last().asString().contains("not a pg_dump archive");
    }

    /** Every proper prefix of an archive is truncated, also one that ends exactly between two data blocks. */
    @Test
    void everyTruncationIsNoticed() throws Exception {
        byte[] a = dumpCustom(List.of("-Z0", "--exclude-table-data=public.big", "--exclude-table-data=public.bin",
                "--exclude-table-data=public.m_*", "--exclude-table-data=\"My Schema\".\"m default\"")).archive();
        ArchiveRowCounter whole = new ArchiveRowCounter();
        whole.write(a);
        assertThat(whole.result()).isPresent();
        int between = 0;
        for (int len = 0; len < a.length; len++) {
            ArchiveRowCounter counter = new ArchiveRowCounter();
            counter.write(a, 0, len);
            counter.close();
            assertThat(counter.result()).as("the first %d of %d bytes", len, a.length).isEmpty();
            String reason = counter.unsupportedReason();
            assertThat(reason).as("the first %d of %d bytes", len, a.length)
                    .matches("the archive is (empty|truncated: it ends after " + len + " bytes, .*)");
            if (reason.contains("before the data of")) {
                between++;
            }
        }
        assertThat(between).as("prefixes that end between blocks").isGreaterThan(10);
    }

    @Test
    void anUnknownVersionIsNotCounted() {
        byte[] a = full.archive().clone();
        assertThat(new String(a, 0, 5, StandardCharsets.US_ASCII)).isEqualTo("PGDMP");
        a[5] = 1;
        a[6] = 99; // archive version 1.99
        ArchiveRowCounter counter = new ArchiveRowCounter();
        counter.write(a);
        counter.close();
        assertThat(counter.result()).isEmpty();
        assertThat(counter.unsupportedReason()).startsWith("archive version 1.99-").contains("not supported").contains("1.12 to 1.16");

        a[6] = 11; // 1.11: older than the oldest read
        ArchiveRowCounter old = new ArchiveRowCounter();
        old.write(a);
        assertThat(old.result()).isEmpty();
        assertThat(old.unsupportedReason()).startsWith("archive version 1.11-");
    }

    /**
     * Archive versions 1.15 (pg_dump 16) and 1.16 (pg_dump 17, 18). Only PostgreSQL 15 installs here
     * (Debian 12), so these are the real 1.14 archive rewritten field by field as WriteHead and WriteToc
     * of those versions write it: 1.15 has a compression algorithm byte where 1.14 has a compression
     * level int; 1.16 also has a relkind int after each entry's tableam.
     */
    @Test
    void versions115And116AreRead() {
        for (int minor : new int[] {15, 16}) {
            byte[] a = rewrite(full.archive(), minor);
            ArchiveRowCounter counter = new ArchiveRowCounter();
            Random random = new Random(minor);
            for (int off = 0; off < a.length; ) {
                int n = Math.min(a.length - off, 1 + random.nextInt(100_000));
                counter.write(a, off, n);
                off += n;
            }
            ArchiveCounts counts = counter.result().orElseThrow(() -> new AssertionError(counter.unsupportedReason()));
            assertThat(counts.archiveVersion()).isEqualTo("1." + minor + "-0");
            assertThat(counts.rows()).isEqualTo(full.expected());

            a[11] = 1; // compression algorithm gzip (1.15+)
            ArchiveRowCounter gzip = new ArchiveRowCounter();
            gzip.write(a);
            assertThat(gzip.result()).isEmpty();
            assertThat(gzip.unsupportedReason()).contains("compressed (gzip)");
        }
    }

    /** A 1.14 archive (intSize 4, offSize 8) as archive version 1.{@code minor} writes it (15 or 16). */
    static byte[] rewrite(byte[] v14, int minor) {
        ByteBuffer in = ByteBuffer.wrap(v14).order(ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = new byte[11];
        in.get(head); // PGDMP, 1, 14, 0, intSize, offSize, format
        assertThat(head[6]).isEqualTo((byte) 14);
        assertThat(head[8]).isEqualTo((byte) 4);
        assertThat(head[9]).isEqualTo((byte) 8);
        head[6] = (byte) minor;
        out.writeBytes(head);
        assertThat(readInt(in)).isZero(); // the compression level int of 1.14...
        out.write(0); // ...is the compression algorithm byte (none) from 1.15
        copyInts(in, out, 7); // creation date
        copyStrings(in, out, 3); // database name, server version, pg_dump version
        int entries = readInt(in);
        writeInt(out, entries);
        for (int i = 0; i < entries; i++) {
            copyInts(in, out, 2); // dumpId, hadDumper
            copyStrings(in, out, 3); // tableoid, oid, tag
            String desc = copyString(in, out);
            copyInts(in, out, 1); // section
            copyStrings(in, out, 6); // defn, dropStmt, copyStmt, namespace, tablespace, tableam
            if (minor >= 16) {
                writeInt(out, "TABLE".equals(desc) ? 'r' : 0); // relkind
            }
            copyStrings(in, out, 2); // owner, withOids
            while (copyString(in, out) != null) { // dependencies, ended by NULL
                continue;
            }
            byte[] offset = new byte[9];
            in.get(offset);
            out.writeBytes(offset);
        }
        byte[] data = new byte[in.remaining()];
        in.get(data);
        out.writeBytes(data);
        return out.toByteArray();
    }

    static int readInt(ByteBuffer in) {
        int sign = in.get();
        int v = in.getInt();
        return sign == 0 ? v : -v;
    }

    static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v < 0 ? 1 : 0);
        int m = Math.abs(v);
        for (int i = 0; i < 4; i++) {
            out.write(m >>> (8 * i));
        }
    }

    static void copyInts(ByteBuffer in, ByteArrayOutputStream out, int n) {
        for (int i = 0; i < n; i++) {
            writeInt(out, readInt(in));
        }
    }

    static void copyStrings(ByteBuffer in, ByteArrayOutputStream out, int n) {
        for (int i = 0; i < n; i++) {
            copyString(in, out);
        }
    }

    static String copyString(ByteBuffer in, ByteArrayOutputStream out) {
        int len = readInt(in);
        writeInt(out, len);
        if (len < 0) {
            return null;
        }
        byte[] s = new byte[len];
        in.get(s);
        out.writeBytes(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    /** Corrupt archives (random bytes overwritten) never make write() throw. */
    @Test
    void corruptArchivesNeverThrow() {
        Random random = new Random(3);
        byte[] a = Arrays.copyOf(full.archive(), 300_000);
        for (int i = 0; i < 400; i++) {
            byte[] c = a.clone();
            for (int k = 0; k <= random.nextInt(3); k++) {
                c[random.nextInt(i < 200 ? 20_000 : c.length)] = (byte) random.nextInt(256);
            }
            ArchiveRowCounter counter = new ArchiveRowCounter();
            counter.write(c, 0, c.length);
            counter.close();
            assertThat(counter.result()).isEmpty(); // a prefix of the archive at best
            assertThat(counter.unsupportedReason()).isNotBlank().doesNotContain("the counter failed");
        }
    }

    /**
     * The hot path: 256 KiB writes of the real archive (200,000 rows of ~40 bytes: a chunk header every
     * ~45 bytes), timed on one core. Prints the throughput; asserts only a floor far below it.
     */
    @Test
    void throughputOfLargeWrites() {
        byte[] a = full.archive();
        int chunk = 256 * 1024;
        long bytes = 0;
        long start = 0;
        for (int round = 0; round < 60 || System.nanoTime() - start < 2_000_000_000L; round++) {
            if (round == 20) { // after warming up
                start = System.nanoTime();
                bytes = 0;
            }
            ArchiveRowCounter counter = new ArchiveRowCounter();
            for (int off = 0; off < a.length; off += chunk) {
                counter.write(a, off, Math.min(chunk, a.length - off));
            }
            assertThat(counter.result()).isPresent();
            bytes += a.length;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double mbPerSecond = bytes / seconds / 1e6;
        System.out.printf("ArchiveRowCounter: %.1f MB archive, 256 KiB writes: %.0f MB/s on one core%n", a.length / 1e6, mbPerSecond);
        assertThat(mbPerSecond).isGreaterThan(200);
    }

    // -------------------------------------------------------------------------------------------

    /**
     * {@code pg_dump -Fc} with {@code args} in a snapshot of {@link #DB}, its stdout streamed through a
     * counter (as a backup does) and kept; the snapshot's counts keyed as the archive names tables.
     */
    static Dump dumpCustom(List<String> args) throws Exception {
        ArchiveRowCounter counter = new ArchiveRowCounter();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (SnapshotSession session = SnapshotSession.open(info)) {
            PgDump dump = new PgDump("custom", session.snapshotId(), Duration.ofSeconds(30), Duration.ofMinutes(5), args);
            try (PgProcess p = dump.start(pgDump, info); OutputStream both = tee(counter, bytes)) {
                p.stdout().transferTo(both);
                p.waitFor();
            }
            return new Dump(bytes.toByteArray(), byTableName(session.rowCounts()), counter);
        }
    }

    /** {@code pg_dump -Fd} with {@code args} into {@code dir} in a snapshot; the snapshot's counts. */
    static Map<TableName, Long> dumpDirectory(Path dir, List<String> args) throws Exception {
        try (SnapshotSession session = SnapshotSession.open(info)) {
            List<String> all = new ArrayList<>(args);
            all.add("--file=" + dir);
            PgDump dump = new PgDump("directory", session.snapshotId(), Duration.ofSeconds(30), Duration.ofMinutes(5), all);
            try (PgProcess p = dump.start(pgDump, info)) {
                p.stdout().transferTo(OutputStream.nullOutputStream());
                p.waitFor();
            }
            return byTableName(session.rowCounts());
        }
    }

    /** SnapshotSession's counts (keyed {@code "My Schema"."Weird.Name"}) keyed by unquoted schema and name. */
    static Map<TableName, Long> byTableName(Map<String, Long> quoted) throws SQLException {
        Map<String, TableName> names = new HashMap<>();
        try (Connection c = PgTestDb.connect(DB); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), n.nspname, c.relname"
                     + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace")) {
            while (rs.next()) {
                names.put(rs.getString(1), new TableName(rs.getString(2), rs.getString(3)));
            }
        }
        Map<TableName, Long> counts = new HashMap<>();
        quoted.forEach((name, rows) -> counts.put(names.get(name), rows));
        assertThat(counts).doesNotContainKey(null);
        return counts;
    }

    static OutputStream tee(OutputStream a, OutputStream b) {
        return new OutputStream() {
            @Override
            public void write(int x) throws IOException {
                a.write(x);
                b.write(x);
            }

            @Override
            public void write(byte[] buf, int off, int len) throws IOException {
                a.write(buf, off, len);
                b.write(buf, off, len);
            }

            @Override
            public void close() throws IOException {
                a.close();
                b.close();
            }
        };
    }
}
