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
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * Puts a restored database in place of the live one, keeping the old one:
 * <ol>
 *   <li>lock: a session advisory lock on the target's server, keyed by the live database, held until
 *       the end, so no other attempt (or the maintenance pass) lifts this fence meanwhile;</li>
 *   <li>record the fence in Lifeboat's database (before it goes up: a fence is never unknown);</li>
 *   <li>fence: {@code ALTER DATABASE live ALLOW_CONNECTIONS false}, then end the sessions connected to it;</li>
 *   <li>confirm the job's lease in Lifeboat's database, then in one transaction:
 *       {@code RENAME live TO kept}, {@code RENAME restored TO live};</li>
 *   <li>re-allow connections to the database that was fenced (the restored one never refused them),
 *       and record the fence lifted.</li>
 * </ol>
 * If anything fails before the rename commits, the live database is let in again unchanged. Messages
 * say what happened to it: unchanged and open, or unchanged but still fenced (and how to open it; the
 * maintenance pass retries). Runs over a connection to a maintenance database ({@code postgres} or
 * {@code template1}): a database cannot be renamed while anyone, this session included, is connected.
 */
final class Swap {
    private static final Logger LOG = Logger.getLogger(Swap.class);
    private static final int ATTEMPTS = 10;
    private static final int REFUSED_ROUNDS = 2;

    /** Who swaps: the restore job, its fence record, and how to ask whether it still holds its lease. */
    /**
     * @param comment set on the restored database in the rename's transaction
     *                ({@link Databases#restoredComment}): how a later attempt knows the swap is done
     */
    record Owner(UUID jobId, String target, Fences fences, BooleanSupplier leaseHeld, String comment) {
    }

    private Swap() {
    }

    /**
     * Swaps; returns a warning when the swap is done but the kept database could not be opened again,
     * else null.
     *
     * @throws PermanentJobException or another exception when it did not swap; the message says whether
     *                               the live database is open again
     */
    static String swap(PgConnectInfo maintenance, String live, String restored, String kept, Owner owner)
            throws SQLException {
        try (ServerLock lock = ServerLock.tryTake(maintenance, ServerLock.fence(live))) {
            if (lock == null) {
                throw new IllegalStateException("another session holds database " + live + " (an earlier attempt of this restore,"
                        + " or another restore of it, is fencing or swapping it right now); " + live + " was not touched by this"
                        + " attempt. The job is retried");
            }
            owner.fences().fencing(owner.jobId(), owner.target(), live, kept);
            Connection c = lock.connection();
            fence(c, maintenance, live, owner);
            boolean swapped = false;
            RuntimeException failure = null;
            try {
                renameUnderFence(c, maintenance, live, restored, kept, owner);
                swapped = true;
            } catch (RuntimeException e) {
                failure = e;
            }
            // Let clients in again: into the restored database under the live name, or into the untouched original.
            String fenced = swapped ? kept : live;
            String unfenceProblem = unfence(c, fenced, live, owner);
            if (failure != null) {
                throw rephrase(failure, live, unfenceProblem);
            }
            return unfenceProblem == null ? null : "the kept database " + kept + " still refuses connections (" + unfenceProblem
                    + "). Hint: the maintenance pass retries, or run ALTER DATABASE " + Databases.quoteIdent(kept)
                    + " WITH ALLOW_CONNECTIONS true";
        }
    }

    private static void fence(Connection c, PgConnectInfo maintenance, String live, Owner owner) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Databases.quoteIdent(live) + " WITH ALLOW_CONNECTIONS false");
        } catch (SQLException e) {
            owner.fences().lifted(owner.jobId(), live, "restore (never fenced)");
            throw new PermanentJobException("cannot fence database " + live + " (" + e.getMessage() + "). Hint: the role "
                    + maintenance.username() + " must own the database (and have CREATEDB) for a replace restore; "
                    + live + " was not touched", e);
        }
    }

    /** Ends the sessions on the live database and renames both in one transaction, once the lease is confirmed. */
    private static void renameUnderFence(Connection c, PgConnectInfo maintenance, String live, String restored, String kept,
                                         Owner owner) {
        String q = Databases.quoteIdent(live);
        try (Statement st = c.createStatement()) {
            String lastProblem = null;
            int refusedRounds = 0;
            for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
                String refused = endSessions(c, live, maintenance.username());
                lastProblem = refused;
                // Sessions we may not end (a superuser's psql, another role's without pg_signal_backend) will not go
                // away by waiting: give up after a few rounds (each RENAME waits ~5 s) rather than keep the fence up.
                if (refused != null && ++refusedRounds > REFUSED_ROUNDS) {
                    break;
                }
                // Another replica may have taken the job over if this one lost Lifeboat's database: never swap then.
                if (!owner.leaseHeld().getAsBoolean()) {
                    throw new IllegalStateException("the restore lost its lease (Lifeboat's database unreachable, or the job was"
                            + " cancelled) just before the swap, so it did not swap");
                }
                try {
                    c.setAutoCommit(false);
                    st.execute("ALTER DATABASE " + q + " RENAME TO " + Databases.quoteIdent(kept));
                    st.execute("ALTER DATABASE " + Databases.quoteIdent(restored) + " RENAME TO " + q);
                    st.execute(Databases.commentStatement(live, owner.comment()));
                    c.commit();
                    return;
                } catch (SQLException e) {
                    c.rollback();
                    if (!"55006".equals(e.getSQLState())) { // object_in_use: someone is still connected
                        throw new PermanentJobException("cannot rename the databases (" + e.getMessage() + "). Hint: the role "
                                + maintenance.username() + " must own " + live + " and have CREATEDB", e);
                    }
                    lastProblem = lastProblem == null ? e.getMessage() : lastProblem;
                    Thread.sleep(200L * attempt);
                } finally {
                    c.setAutoCommit(true);
                }
            }
            throw new PermanentJobException("sessions stayed connected to " + live + " (" + lastProblem + "). Hint: close"
                    + " them (a superuser's session can only be ended by a superuser), let " + maintenance.username()
                    + " end other roles' sessions (GRANT pg_signal_backend TO " + maintenance.username()
                    + "), or stop the application first with a pre-restore hook");
        } catch (SQLException e) {
            throw new IllegalStateException("the swap of " + live + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("the swap of " + live + " was interrupted", e);
        }
    }

    /** Allows connections to {@code fenced} again and records it; returns what went wrong, or null. */
    private static String unfence(Connection c, String fenced, String live, Owner owner) {
        try (Statement st = c.createStatement()) {
            st.execute("ALTER DATABASE " + Databases.quoteIdent(fenced) + " WITH ALLOW_CONNECTIONS true");
        } catch (SQLException e) {
            LOG.errorf("could not re-allow connections to %s: %s. Run: ALTER DATABASE %s WITH ALLOW_CONNECTIONS true",
                    fenced, e.getMessage(), Databases.quoteIdent(fenced));
            return e.getMessage();
        }
        try {
            owner.fences().lifted(owner.jobId(), live, "restore");
        } catch (SQLException e) {
            // Connections are allowed; the maintenance pass finds the database open and closes the record.
            LOG.warnf("database %s is open again, but the fence record could not be updated: %s", fenced, e.getMessage());
        }
        return null;
    }

    /** The failure's message, ending with what became of the live database (not swapped). */
    private static RuntimeException rephrase(RuntimeException failure, String live, String unfenceProblem) {
        String state = unfenceProblem == null
                ? live + " was fenced for the attempt and is open again, unchanged"
                : live + " is unchanged but STILL REFUSES CONNECTIONS: re-allowing them failed (" + unfenceProblem
                        + "). Run ALTER DATABASE " + Databases.quoteIdent(live) + " WITH ALLOW_CONNECTIONS true; the maintenance pass retries";
        String message = failure.getMessage() + "; " + state;
        return failure instanceof PermanentJobException
                ? new PermanentJobException(message, failure)
                : new IllegalStateException(message, failure);
    }

    /** Terminates the sessions on {@code db}; returns why some could not be ended, or null. */
    private static String endSessions(Connection c, String db, String self) throws SQLException {
        List<String> refused = new ArrayList<>();
        List<Object[]> sessions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pid, coalesce(usename, '?') FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()")) {
            ps.setString(1, db);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sessions.add(new Object[]{rs.getInt(1), rs.getString(2)});
                }
            }
        }
        for (Object[] s : sessions) {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_terminate_backend(?)")) {
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
