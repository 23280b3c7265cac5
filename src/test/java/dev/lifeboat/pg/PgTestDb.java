package dev.lifeboat.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Throwaway databases and roles on the local test PostgreSQL (the one scripts/pg-setup.sh prepares),
 * made through the superuser lifeboat_test. Create one per test class and call {@link #dropAll()}
 * after each test.
 */
public final class PgTestDb {
    public static final String HOST = env("LIFEBOAT_TEST_PGHOST", "127.0.0.1");
    public static final int PORT = Integer.parseInt(env("LIFEBOAT_TEST_PGPORT", "5432"));
    public static final String USER = "lifeboat_test";
    public static final String PASSWORD = env("LIFEBOAT_TEST_PGPASSWORD", "lifeboat_test");

    private final List<String> databases = new ArrayList<>();
    private final List<String> roles = new ArrayList<>();

    /** Connection info for {@code database} as the test superuser. */
    public static PgConnectInfo info(String database) {
        return new PgConnectInfo("test", HOST, PORT, database, USER, PASSWORD, Duration.ofSeconds(5));
    }

    /** A JDBC connection to {@code database} as the test superuser (autocommit). */
    public static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + database, USER, PASSWORD);
    }

    /** Creates an empty database with a unique name, owned by {@code owner} (null: the test superuser). */
    public String createDatabase(String owner) throws SQLException {
        String name = "lbt_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execIn("lifeboat_test", "CREATE DATABASE " + name + (owner == null ? "" : " OWNER " + owner));
        databases.add(name);
        return name;
    }

    public String createDatabase() throws SQLException {
        return createDatabase(null);
    }

    /** Creates a login role with a unique name and the given password; returns its name. */
    public String createRole(String password, String attributes) throws SQLException {
        String name = "lbt_role_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        try (Connection c = connect("lifeboat_test"); Statement st = c.createStatement()) {
            // format %L quotes the password as a literal on the server side, whatever it contains.
            try (ResultSet rs = st.executeQuery("SELECT format('CREATE ROLE %I " + attributes + " PASSWORD %L', '" + name + "', "
                    + quoteLiteral(password) + ")")) {
                rs.next();
                st.execute(rs.getString(1));
            }
        }
        roles.add(name);
        return name;
    }

    /** Runs statements in {@code database}, each on its own (autocommit). */
    public static void execIn(String database, String... sql) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    public static long count(String database, String sql) throws SQLException {
        try (Connection c = connect(database); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Exact row counts of the given tables (qualified, quoted names as {@link SnapshotSession#rowCounts()} gives them). */
    public static Map<String, Long> countRows(String database, Iterable<String> tables) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        for (String t : tables) {
            counts.put(t, count(database, "SELECT count(*) FROM ONLY " + t));
        }
        return counts;
    }

    /** Drops what this instance created (databases by force, then roles). */
    public void dropAll() throws SQLException {
        try (Connection c = connect("lifeboat_test"); Statement st = c.createStatement()) {
            for (String db : databases) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
            for (String role : roles) {
                st.execute("DROP ROLE IF EXISTS " + role);
            }
        }
        databases.clear();
        roles.clear();
    }

    /**
     * The scratch databases ({@code lifeboat_drill_*}, {@code lifeboat_restore_*}) of jobs in this test run's
     * own job table: named {@code <prefix><first 16 hex digits of the job id>}. Another installation's on the
     * same server (a benchmark's, a killed soak's) are not ours, and Lifeboat rightly leaves them alone.
     */
    public static java.util.List<String> ourScratchDatabases(String prefix) throws SQLException {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (Connection c = connect("lifeboat_test");
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT d.datname FROM pg_database d WHERE d.datname LIKE ? || '%'"
                     + " AND EXISTS (SELECT 1 FROM job j WHERE left(replace(j.id::text, '-', ''), 16) = substr(d.datname, length(?) + 1))"
                     + " ORDER BY 1")) {
            ps.setString(1, prefix.replace("_", "\\_"));
            ps.setString(2, prefix);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        }
        return names;
    }

    public static String quoteLiteral(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
