package dev.lifeboat.restore;

import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgConnectInfo;
import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts a restored database in place of the live one, keeping the old one:
 * <ol>
 *   <li>fence: {@code ALTER DATABASE live ALLOW_CONNECTIONS false}, then end the sessions connected to it;</li>
 *   <li>in one transaction: {@code RENAME live TO kept}, {@code RENAME restored TO live};</li>
 *   <li>re-allow connections to the kept database (the restored one never refused them).</li>
 * </ol>
 * If anything fails before the transaction commits, the live database is let in again unchanged. Runs
 * over a connection to a maintenance database ({@code postgres} or {@code template1}): a database
 * cannot be renamed while anyone, this session included, is connected to it.
 */
final class Swap {
    private static final Logger LOG = Logger.getLogger(Swap.class);
    private static final int ATTEMPTS = 10;
    private static final int REFUSED_ROUNDS = 2;

    private Swap() {
    }

    static void swap(PgConnectInfo maintenance, String live, String restored, String kept) throws SQLException, InterruptedException {
        String q = Databases.quoteIdent(live);
        try (Connection c = maintenance.open(); Statement st = c.createStatement()) {
            try {
                st.execute("ALTER DATABASE " + q + " WITH ALLOW_CONNECTIONS false");
            } catch (SQLException e) {
                throw new PermanentJobException("cannot fence database " + live + " (" + e.getMessage() + "). Hint: the role "
                        + maintenance.username() + " must own the database (and have CREATEDB) for a replace restore; "
                        + live + " was not touched", e);
            }
            boolean swapped = false;
            try {
                String lastProblem = null;
                int refusedRounds = 0;
                for (int attempt = 1; attempt <= ATTEMPTS && !swapped; attempt++) {
                    String refused = endSessions(c, live, maintenance.username());
                    lastProblem = refused;
                    // Sessions we may not end (a superuser's psql, another role's without pg_signal_backend) will not go
                    // away by waiting: give up after a few rounds (each RENAME waits ~5 s) rather than keep the fence up.
                    if (refused != null && ++refusedRounds > REFUSED_ROUNDS) {
                        break;
                    }
                    try {
                        c.setAutoCommit(false);
                        st.execute("ALTER DATABASE " + q + " RENAME TO " + Databases.quoteIdent(kept));
                        st.execute("ALTER DATABASE " + Databases.quoteIdent(restored) + " RENAME TO " + q);
                        c.commit();
                        swapped = true;
                    } catch (SQLException e) {
                        c.rollback();
                        if (!"55006".equals(e.getSQLState())) { // object_in_use: someone is still connected
                            throw new PermanentJobException("cannot rename the databases (" + e.getMessage() + "). Hint: the role "
                                    + maintenance.username() + " must own " + live + " and have CREATEDB; " + live + " was not touched", e);
                        }
                        lastProblem = lastProblem == null ? e.getMessage() : lastProblem;
                        Thread.sleep(200L * attempt);
                    } finally {
                        c.setAutoCommit(true);
                    }
                }
                if (!swapped) {
                    throw new PermanentJobException("sessions stayed connected to " + live + " (" + lastProblem + "). Hint: close"
                            + " them (a superuser's session can only be ended by a superuser), let " + maintenance.username()
                            + " end other roles' sessions (GRANT pg_signal_backend TO " + maintenance.username()
                            + "), or stop the application first with a pre-restore hook; " + live + " was not touched");
                }
            } finally {
                // Let clients in again: into the restored database under the live name, or into the untouched original.
                String open = swapped ? kept : live;
                try {
                    st.execute("ALTER DATABASE " + Databases.quoteIdent(open) + " WITH ALLOW_CONNECTIONS true");
                } catch (SQLException e) {
                    LOG.errorf("could not re-allow connections to %s: %s. Run: ALTER DATABASE %s WITH ALLOW_CONNECTIONS true",
                            open, e.getMessage(), Databases.quoteIdent(open));
                }
            }
        }
    }

    /** Terminates the sessions on {@code db}; returns why some could not be ended, or null. */
    private static String endSessions(Connection c, String db, String self) throws SQLException {
        List<String> refused = new ArrayList<>();
        List<Object[]> sessions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pid, coalesce(usename, '?') FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sessions.add(new Object[]{rs.getInt(1), rs.getString(2)});
                }
            }
        }
        for (Object[] s : sessions) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                ps.setInt(1, (Integer) s[0]);
                ps.execute();
            } catch (SQLException e) {
                refused.add("session " + s[0] + " of role " + s[1] + ": " + e.getMessage());
            }
        }
        if (!sessions.isEmpty()) {
            LOG.infof("ended %d session(s) on %s for the swap%s", sessions.size() - refused.size(), db,
                    refused.isEmpty() ? "" : "; could not end " + refused);
        }
        return refused.isEmpty() ? null : String.join("; ", refused);
    }
}
