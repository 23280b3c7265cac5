package dev.lifeboat.restore;

import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgConnectInfo;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * Databases that restores and drills create on a target's server: scratch databases named after their
 * job ({@code lifeboat_drill_<16 hex of the job id>}, {@code lifeboat_restore_<…>}), so a later job can
 * tell which ones a crashed worker left behind.
 */
public final class Databases {
    private static final Logger LOG = Logger.getLogger(Databases.class);

    private Databases() {
    }

    public static String scratchName(String prefix, UUID jobId) {
        return prefix + jobId.toString().replace("-", "").substring(0, 16);
    }

    /** A name as an SQL identifier: always quoted, so any name is safe in SQL text. */
    public static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    public static boolean exists(PgConnectInfo conn, String name) throws SQLException {
        try (Connection c = conn.open(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Creates {@code name}, first dropping a same-named leftover of this very job's earlier attempt (whose
     * replica was killed): the drop may take a moment while autovacuum or the old pg_restore go away.
     */
    public static void createScratch(PgConnectInfo conn, String name, String purpose) throws SQLException {
        if (exists(conn, name) && !dropQuietly(conn, name)) {
            throw new SQLException("the " + purpose + " database " + name + " left by an earlier attempt of this job could not be dropped yet");
        }
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + quoteIdent(name));
        } catch (SQLException e) {
            if ("42501".equals(e.getSQLState())) {
                throw new PermanentJobException("role " + conn.username() + " may not create the " + purpose + " database " + name
                        + ". Hint: ALTER ROLE " + conn.username() + " CREATEDB", e);
            }
            throw e;
        }
    }

    /**
     * Drops a database Lifeboat made. Plain {@code DROP DATABASE} first: it also stops an autovacuum
     * worker that just started on freshly restored tables, which {@code WITH (FORCE)} may not do for a
     * role that is not a superuser. FORCE is the fallback for sessions still connected (a pg_restore
     * being killed). Retries a few times; logs rather than throws.
     *
     * @return whether the database is gone
     */
    public static boolean dropQuietly(PgConnectInfo conn, String name) {
        String last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try (Connection c = conn.open(); Statement st = c.createStatement()) {
                try {
                    st.execute("DROP DATABASE IF EXISTS " + quoteIdent(name));
                } catch (SQLException inUse) {
                    st.execute("DROP DATABASE IF EXISTS " + quoteIdent(name) + " WITH (FORCE)");
                }
                return true;
            } catch (SQLException | RuntimeException e) {
                last = e.getMessage();
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        LOG.warnf("could not drop the database %s (%s); the next restore or drill on this server drops it", name, last);
        return false;
    }
}
