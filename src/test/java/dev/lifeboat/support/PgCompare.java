package dev.lifeboat.support;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.pg.PgTools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Compares two databases on the local test PostgreSQL ({@link PgTestDb}) and lists their differences
 * in words that name the objects; an empty list means "identical" for everything a backup must bring
 * back. Meant for backup/restore tests: load {@link Fixtures#loadEveryObjectKind(String)} into one
 * database, back it up and restore it into another, then {@code assertThat(PgCompare.compare(a, b)).isEmpty()}.
 *
 * <h2>What is compared</h2>
 * <ul>
 *   <li><b>Schema</b>: the output of the real {@code pg_dump --schema-only --no-owner} of each database,
 *       normalised (see {@link #schemaDump(String)}) and compared line by line. Privileges (GRANT/REVOKE)
 *       <em>are</em> compared: grants are part of what a restore must bring back. Owners are not: a
 *       restore made with {@code --no-owner} legitimately gives every object to the restoring role.
 *       Comments ({@code COMMENT ON}), policies, triggers, indexes, constraints, sequence parameters,
 *       enum labels, partition bounds all appear in that dump.</li>
 *   <li><b>Content</b> ({@link #fingerprint(String)}): for every table, partitioned table and
 *       materialized view outside {@code pg_catalog}/{@code information_schema}, the row count and an
 *       order-independent checksum of the rows' text forms (a partitioned table reads all its partitions,
 *       each partition is also checked on its own); whether each materialized view is populated; every
 *       sequence's {@code last_value}/{@code is_called}; every large object's size, md5 and comment, keyed
 *       by oid (pg_restore keeps large objects' oids); extension names, versions and schemas.</li>
 * </ul>
 *
 * <h2>What is knowingly not compared</h2>
 * Nothing is normalised away except what pg_dump/pg_restore do not promise to keep:
 * <ul>
 *   <li>owners (see above) and large objects' owners and ACLs;</li>
 *   <li>a sequence's {@code log_cnt} (WAL bookkeeping) and an enum's internal sort-order numbers
 *       (a dump recreates the labels in order; both are invisible to SQL users);</li>
 *   <li>database-level settings and comments ({@code ALTER DATABASE ... SET}, {@code COMMENT ON DATABASE}):
 *       pg_dump only writes them with {@code --create}, and a restore into an existing database does not
 *       bring them back; this class compares the content <em>of</em> the databases, not the databases'
 *       own properties;</li>
 *   <li>an extension installed at a non-default version: pg_dump writes {@code CREATE EXTENSION} without
 *       a version, so the restore gets the server's default version. This is <em>not</em> hidden: the
 *       extension check reports it, as it is a real difference;</li>
 *   <li>plain views' rows (their definitions are in the schema comparison), statistics, physical
 *       layout, oids of anything but large objects, dead tuples.</li>
 * </ul>
 *
 * <p>Rows are read with {@code row_security = off}: a role subject to row-level security gets an error
 * instead of silently checksumming fewer rows. Session settings that change text forms (time zone, date
 * and interval styles, float digits, bytea output) are fixed, so checksums do not depend on the JVM.
 * Checksums aggregate one md5 per row in memory on the server: fine for test databases (millions of rows
 * at most), not meant for production-sized ones. Large objects are read whole with {@code lo_get}.
 *
 * <p>Tools run with {@code PGPASSWORD} in the child's environment (never on the command line), which is
 * acceptable for this test-only utility against the throwaway test server.
 */
public final class PgCompare {
    /** At most this many differing schema lines are listed (then one line saying how many more). */
    public static final int MAX_SCHEMA_DIFF_LINES = 20;
    /** Row-level details ("rows only in A") are fetched for mismatching tables up to this many rows. */
    public static final long MAX_ROWS_FOR_DETAIL = 100_000;
    private static final int MAX_ROW_EXAMPLES = 3;
    private static final int MAX_SHOWN_CHARS = 240;
    private static final long TOOL_TIMEOUT_MINUTES = 10;
    private static final String TABLE = "table ";
    private static final String MATVIEW = "materialized view ";
    private static final String NOT_POPULATED = "not populated";

    private PgCompare() {
    }

    // ---------------------------------------------------------------------------------------------
    // Comparing

    /**
     * Every difference between databases {@code a} and {@code b}: schema first, then content. Empty when
     * they are identical. Each entry names the object (qualified and quoted as in SQL) and both databases.
     */
    public static List<String> compare(String a, String b) {
        List<String> diffs = new ArrayList<>(compareSchema(a, b));
        diffs.addAll(compareContent(a, b));
        return diffs;
    }

    /**
     * Differences between the normalised schema dumps: one entry per differing line (up to
     * {@value #MAX_SCHEMA_DIFF_LINES}), such as
     * {@code schema: only in lbt_a, in "CREATE INDEX statuses_text_trgm ON ONLY social.statuses ...": <the line>}.
     * The quoted statement is the first line of the SQL statement holding the differing line, so that a
     * changed column names its table.
     */
    public static List<String> compareSchema(String a, String b) {
        List<String> left = schemaDump(a);
        List<String> right = schemaDump(b);
        List<String> diffs = new ArrayList<>();
        List<int[]> edits = diffLines(left, right); // {side, index}: side 0 = only in a, 1 = only in b
        for (int[] e : edits) {
            if (diffs.size() == MAX_SCHEMA_DIFF_LINES) {
                diffs.add("schema: ... and " + (edits.size() - MAX_SCHEMA_DIFF_LINES) + " more differing lines");
                break;
            }
            List<String> lines = e[0] == 0 ? left : right;
            String statement = lines.get(statementStart(lines, e[1]));
            String line = lines.get(e[1]);
            diffs.add("schema: only in " + (e[0] == 0 ? a : b) + ", line " + (e[1] + 1)
                    + (statement.equals(line) ? "" : ", in \"" + shorten(statement) + "\"") + ": " + shorten(line));
        }
        return diffs;
    }

    /**
     * Differences between the {@link #fingerprint(String) content fingerprints}, one entry per object,
     * such as {@code table social.accounts: lbt_a: 1198 rows, md5 ...; lbt_b: 1198 rows, md5 ...; rows only in lbt_a: 1 [(...)]; rows only in lbt_b: none}
     * or {@code sequence social.snowflake_seq: lbt_a: last_value=123456 is_called=true; lbt_b: last_value=123457 is_called=true};
     * objects in one database only: {@code large object 16410: only in lbt_a (6 bytes, md5 ...)}.
     */
    public static List<String> compareContent(String a, String b) {
        Map<String, String> left = fingerprint(a);
        Map<String, String> right = fingerprint(b);
        List<String> diffs = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(left.keySet());
        keys.addAll(right.keySet());
        for (String key : keys) {
            String l = left.get(key);
            String r = right.get(key);
            if (l == null) {
                diffs.add(key + ": only in " + b + " (" + r + ")");
            } else if (r == null) {
                diffs.add(key + ": only in " + a + " (" + l + ")");
            } else if (!l.equals(r)) {
                String detail = "";
                if (key.startsWith(TABLE)) {
                    detail = rowDetail(a, b, key.substring(TABLE.length()));
                } else if (key.startsWith(MATVIEW) && !l.equals(NOT_POPULATED) && !r.equals(NOT_POPULATED)) {
                    detail = rowDetail(a, b, key.substring(MATVIEW.length()));
                }
                diffs.add(key + ": " + a + ": " + l + "; " + b + ": " + r + detail);
            }
        }
        return diffs;
    }

    // ---------------------------------------------------------------------------------------------
    // What is compared

    /**
     * {@code pg_dump --schema-only --no-owner} of {@code database}, normalised: without SQL comment lines
     * ({@code --}: the pg_dump and server versions, and labels repeating the statements), blank lines, psql's
     * psql {@code restrict}/{@code unrestrict} meta-command lines (pg_dump 15.14+ writes a random key there at each run),
     * and with the database's name replaced by {@code <database>}.
     */
    public static List<String> schemaDump(String database) {
        String dump = runTool("pg_dump", database, List.of("--schema-only", "--no-owner"), null);
        List<String> lines = new ArrayList<>();
        for (String line : dump.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--") || trimmed.startsWith("\\restrict ")
                    || trimmed.startsWith("\\unrestrict ")) {
                continue;
            }
            lines.add(line.replace(database, "<database>"));
        }
        return lines;
    }

    /**
     * What the content of {@code database} looks like, as sorted keys naming objects and values
     * describing them:
     * <ul>
     *   <li>{@code table <schema>.<name>} (also partitioned tables): {@code <n> rows, md5 <checksum>}</li>
     *   <li>{@code materialized view <schema>.<name>}: the same, or {@code not populated}</li>
     *   <li>{@code sequence <schema>.<name>}: {@code last_value=<v> is_called=<b>}</li>
     *   <li>{@code large object <oid>}: {@code <size> bytes, md5 <md5>, comment <comment>}</li>
     *   <li>{@code extension <name>}: {@code version <v> in schema <schema>}</li>
     * </ul>
     * Names are quoted as SQL needs them ({@code format('%I.%I')}), so {@code "ünïcødé schéma"."Émojis 🐘 Tàblé"}.
     */
    public static Map<String, String> fingerprint(String database) {
        Map<String, String> result = new TreeMap<>();
        try (Connection c = open(database); Statement st = c.createStatement()) {
            List<String[]> relations = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("""
                    SELECT c.relkind, format('%I.%I', n.nspname, c.relname), c.relispopulated
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p', 'm', 'S')
                      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
                    ORDER BY 2""")) {
                while (rs.next()) {
                    relations.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
                }
            }
            for (String[] rel : relations) {
                String kind = rel[0];
                String name = rel[1];
                if (kind.equals("S")) {
                    try (ResultSet rs = st.executeQuery("SELECT last_value, is_called FROM " + name)) {
                        rs.next();
                        result.put("sequence " + name, "last_value=" + rs.getLong(1) + " is_called=" + rs.getBoolean(2));
                    }
                } else if (kind.equals("m") && rel[2].equals("f")) {
                    result.put(MATVIEW + name, NOT_POPULATED);
                } else {
                    result.put((kind.equals("m") ? MATVIEW : TABLE) + name, tableChecksum(st, name));
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT oid, length(data), md5(data), obj_description(oid, 'pg_largeobject')
                    FROM (SELECT oid, lo_get(oid) AS data FROM pg_largeobject_metadata) AS lo ORDER BY oid""")) {
                while (rs.next()) {
                    result.put("large object " + rs.getLong(1), rs.getLong(2) + " bytes, md5 " + rs.getString(3)
                            + (rs.getString(4) == null ? "" : ", comment " + rs.getString(4)));
                }
            }
            try (ResultSet rs = st.executeQuery("""
                    SELECT extname, extversion, extnamespace::regnamespace::text FROM pg_extension ORDER BY 1""")) {
                while (rs.next()) {
                    result.put("extension " + rs.getString(1), "version " + rs.getString(2) + " in schema " + rs.getString(3));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot fingerprint database " + database + ": " + e.getMessage(), e);
        }
        return result;
    }

    private static String tableChecksum(Statement st, String table) throws SQLException {
        // md5 of each row's text form, sorted, concatenated, hashed: independent of physical row order.
        try (ResultSet rs = st.executeQuery("SELECT count(*), md5(string_agg(h, '' ORDER BY h)) FROM (SELECT md5(t::text) AS h FROM "
                + table + " AS t) AS rows")) {
            rs.next();
            return rs.getLong(1) + " rows, md5 " + (rs.getString(2) == null ? "-" : rs.getString(2));
        }
    }

    /** For a table whose checksums differ: a few rows found in only one of the databases. */
    private static String rowDetail(String a, String b, String table) {
        try {
            Map<String, Integer> left = rows(a, table);
            Map<String, Integer> right = rows(b, table);
            if (left == null || right == null) {
                return "";
            }
            return "; rows only in " + a + ": " + onlyIn(left, right) + "; rows only in " + b + ": " + onlyIn(right, left);
        } catch (SQLException e) {
            return "; (cannot read rows: " + e.getMessage() + ")";
        }
    }

    /** The rows' text forms with their multiplicities, or null if the table is too big to list. */
    private static Map<String, Integer> rows(String database, String table) throws SQLException {
        try (Connection c = open(database); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                if (rs.getLong(1) > MAX_ROWS_FOR_DETAIL) {
                    return null;
                }
            }
            Map<String, Integer> rows = new HashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT t::text FROM " + table + " AS t")) {
                while (rs.next()) {
                    rows.merge(rs.getString(1), 1, Integer::sum);
                }
            }
            return rows;
        }
    }

    private static String onlyIn(Map<String, Integer> these, Map<String, Integer> others) {
        List<String> shown = new ArrayList<>();
        int count = 0;
        for (Map.Entry<String, Integer> e : new TreeMap<>(these).entrySet()) {
            int extra = e.getValue() - others.getOrDefault(e.getKey(), 0);
            if (extra > 0) {
                count += extra;
                if (shown.size() < MAX_ROW_EXAMPLES) {
                    shown.add(shorten(e.getKey()) + (extra > 1 ? " (x" + extra + ")" : ""));
                }
            }
        }
        return count == 0 ? "none" : count + " " + shown + (count > shown.size() ? " ..." : "");
    }

    // ---------------------------------------------------------------------------------------------
    // Running the real PostgreSQL tools against the test server

    /**
     * The installed {@code tool} ({@code pg_dump}, {@code pg_restore}, {@code psql}) suited to the test
     * server's major version, found the way Lifeboat finds it ({@link PgTools}, default directories).
     */
    public static Path tool(String tool) {
        return new PgTools(PgTools.defaultBinDirs()).choose(tool, serverMajor(), "test").path();
    }

    /**
     * Runs {@code tool} against the test server as the test superuser and returns its standard output.
     * Host, port, user and password go into the child's environment ({@code PGHOST}, {@code PGPORT},
     * {@code PGUSER}, {@code PGPASSWORD}, {@code PGDATABASE=database}); nothing {@code PG*} is inherited.
     * pg_restore ignores {@code PGDATABASE}: pass {@code -d <database>} in {@code args} to restore into one.
     *
     * @param stdin written to the tool's standard input, or null for none
     * @throws IllegalStateException naming the command and quoting its stderr if it exits non-zero or
     *                               runs longer than {@value #TOOL_TIMEOUT_MINUTES} minutes
     */
    public static String runTool(String tool, String database, List<String> args, InputStream stdin) {
        List<String> command = new ArrayList<>();
        command.add(tool(tool).toString());
        command.addAll(args);
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("lifeboat-" + tool, ".out");
            err = Files.createTempFile("lifeboat-" + tool, ".err");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("PG"));
            env.put("PGHOST", PgTestDb.HOST);
            env.put("PGPORT", Integer.toString(PgTestDb.PORT));
            env.put("PGUSER", PgTestDb.USER);
            env.put("PGPASSWORD", PgTestDb.PASSWORD);
            env.put("PGDATABASE", database);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    stdin.transferTo(in);
                }
            }
            if (!p.waitFor(TOOL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " (database " + database + ") timed out");
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " (database " + database + ") failed with exit code "
                        + p.exitValue() + ":\n" + stderr);
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static int serverMajor() {
        try {
            return (int) (PgTestDb.count("lifeboat_test", "SELECT current_setting('server_version_num')::int") / 10000);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reach the test PostgreSQL on " + PgTestDb.HOST + ":" + PgTestDb.PORT
                    + " (run scripts/pg-setup.sh test): " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    /** A connection whose text forms do not depend on the JVM, and that refuses to read through RLS. */
    private static Connection open(String database) throws SQLException {
        Connection c = PgTestDb.connect(database);
        try (Statement st = c.createStatement()) {
            st.execute("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres';"
                    + " SET extra_float_digits = 3; SET bytea_output = 'hex'; SET row_security = off");
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * The lines only in {@code a} ({0, index}) and only in {@code b} ({1, index}), from a longest common
     * subsequence after trimming the common head and tail (dumps differ in few places).
     */
    static List<int[]> diffLines(List<String> a, List<String> b) {
        int head = 0;
        while (head < a.size() && head < b.size() && a.get(head).equals(b.get(head))) {
            head++;
        }
        int tail = 0;
        while (tail < a.size() - head && tail < b.size() - head
                && a.get(a.size() - 1 - tail).equals(b.get(b.size() - 1 - tail))) {
            tail++;
        }
        int n = a.size() - head - tail;
        int m = b.size() - head - tail;
        int[][] lcs = new int[n + 1][m + 1]; // lcs[i][j]: of a[head+i..] and b[head+j..]
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(head + i).equals(b.get(head + j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<int[]> edits = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(head + i).equals(b.get(head + j))) {
                i++;
                j++;
            } else if (j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) {
                edits.add(new int[] {0, head + i++});
            } else {
                edits.add(new int[] {1, head + j++});
            }
        }
        return edits;
    }

    /** The index of the first line of the SQL statement holding line {@code index} (statements end with ';'). */
    private static int statementStart(List<String> lines, int index) {
        int start = index;
        while (start > 0 && !lines.get(start - 1).stripTrailing().endsWith(";")) {
            start--;
        }
        return start;
    }

    private static String shorten(String s) {
        return s.length() <= MAX_SHOWN_CHARS ? s : s.substring(0, MAX_SHOWN_CHARS) + "...(" + s.length() + " chars)";
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }
}
