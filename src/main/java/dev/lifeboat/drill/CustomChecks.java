package dev.lifeboat.drill;

import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.restore.Check;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin's own checks of any application (Misskey, Lemmy, Pixelfed…):
 * {@code lifeboat.targets.<t>.drill.checks.<name>.sql}, one query returning one boolean. Each runs only
 * on the drill's scratch database, in a read-only transaction with a statement timeout, and is reported
 * like the built-in checks ({@code check: <name>}). The search path is PostgreSQL's default
 * ({@code "$user", public}, with pg_catalog first), unlike Lifeboat's own queries.
 */
final class CustomChecks {
    /** How long one check may run. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private CustomChecks() {
    }

    static List<Check> run(PgConnectInfo scratch, Map<String, String> checks) {
        List<Check> out = new ArrayList<>();
        for (Map.Entry<String, String> check : checks.entrySet()) {
            out.add(run(scratch, check.getKey(), check.getValue()));
        }
        return out;
    }

    private static Check run(PgConnectInfo scratch, String name, String sql) {
        String label = "check: " + name;
        try (Connection c = scratch.open()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SET TRANSACTION READ ONLY");
                st.execute("SET LOCAL statement_timeout = '" + TIMEOUT.toMillis() + "ms'");
                // The admin writes the query as in psql: unqualified names find the application's tables.
                // pg_catalog is still searched first, so no restored object can stand in for a built-in.
                st.execute("SET LOCAL search_path = \"$user\", public");
            }
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getMetaData().getColumnCount() != 1) {
                    return new Check(label, false, "the query must return one row with one boolean column");
                }
                Object value = rs.getObject(1);
                if (!(value instanceof Boolean passed)) {
                    return new Check(label, false, "the query returned " + (value == null ? "null" : "a " + value.getClass().getSimpleName())
                            + ", not a boolean");
                }
                return new Check(label, passed, passed ? "true" : "false: " + sql);
            } finally {
                c.rollback();
            }
        } catch (SQLException e) {
            return new Check(label, false, "the query failed: " + scratch.redact(e.getMessage()));
        }
    }
}
