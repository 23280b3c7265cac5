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

    /**
     * The comment a restore sets on the database it made, in the same transaction as the rename (or
     * swap) that gives the database its name: a later attempt of the job that finds it knows the
     * restore is done, however the earlier attempt died.
     */
    public static String restoredComment(UUID jobId, UUID backupId) {
        return "Restored by Lifeboat job " + jobId + " from backup " + backupId;
    }

    /** {@code COMMENT ON DATABASE name IS restoredComment}: run it in the rename's transaction. */
    public static String commentStatement(String name, String comment) {
        return "COMMENT ON DATABASE " + quoteIdent(name) + " IS '" + comment.replace("'", "''") + "'";
    }

    /** The comment on database {@code name}, or null (no such database, or no comment). */
    public static String comment(PgConnectInfo conn, String name) throws SQLException {
        try (Connection c = conn.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT pg_catalog.shobj_description(oid, 'pg_database') FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
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
     * Makes {@code role} the owner of database {@code name}. When the connecting role may not, the
     * restore goes on (it may still succeed, e.g. when {@code role} is a superuser) with a warning.
     */
    public static void giveTo(PgConnectInfo conn, String name, String role, java.util.List<String> warnings) throws SQLException {
        try (Connection c = conn.open(); Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + quoteIdent(name) + " OWNER TO " + quoteIdent(role));
        } catch (SQLException e) {
            if (!"42501".equals(e.getSQLState()) && !"42704".equals(e.getSQLState())) {
                throw e;
            }
            warnings.add("the restored database could not be given to role " + role + " (" + e.getMessage() + "); it belongs to "
                    + conn.username() + ". Hint: GRANT " + role + " TO " + conn.username());
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
