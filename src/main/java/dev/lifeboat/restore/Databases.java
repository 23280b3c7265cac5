package dev.lifeboat.restore;

import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgConnectInfo;
import io.agroal.api.AgroalDataSource;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
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
        try (Connection c = conn.open(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
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

    /**
     * Drops the scratch databases ({@code prefix*}) whose job is one of this installation's and is no
     * longer running (its worker crashed before it could drop them) on this server. One of a job running
     * right now, on any replica, is left alone (its name carries its job id), and so is one whose job
     * this installation does not know (another Lifeboat sharing the server, or a job cleaned up long ago).
     */
    public static int dropLeftovers(PgConnectInfo conn, AgroalDataSource lifeboatDb, String prefix, String kind) {
        List<String> found = new ArrayList<>();
        try (Connection c = conn.open(); PreparedStatement ps = c.prepareStatement(
                "SELECT datname FROM pg_database WHERE starts_with(datname, ?)")) {
            ps.setString(1, prefix);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("cannot list leftover %s databases: %s", kind, e.getMessage());
            return 0;
        }
        int dropped = 0;
        for (String name : found) {
            String suffix = name.substring(prefix.length());
            if (suffix.length() != 16) {
                continue; // not a name Lifeboat makes
            }
            // Only this installation's own leftovers: a job of ours with that id exists and is not running.
            // A scratch database of another Lifeboat using the same server is not in our job table: left alone.
            try (Connection c = lifeboatDb.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'running') FROM job"
                            + " WHERE kind = ? AND starts_with(replace(id::text, '-', ''), ?)")) {
                ps.setString(1, kind);
                ps.setString(2, suffix);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) == 0 || rs.getLong(2) > 0) {
                        continue;
                    }
                }
            } catch (SQLException e) {
                continue; // cannot tell: leave it
            }
            LOG.warnf("dropping %s, left behind by a %s job that is no longer running", name, kind);
            if (dropQuietly(conn, name)) {
                dropped++;
            }
        }
        return dropped;
    }
}
