package dev.lifeboat.restore;

import dev.lifeboat.pg.PgConnectInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL session-level advisory lock on a target's server, held by one open connection for as
 * long as a restore owns something there: a fenced database (from fence to swap to un-fence) or a
 * scratch database (from create to rename or drop). Whoever else would lift that fence or drop that
 * scratch database (a later attempt of the same job on another replica, the maintenance pass) tries
 * the lock first and keeps off while it is held. The lock lives in the target's server, not in
 * Lifeboat's database: it holds even when the owning replica has lost Lifeboat's database, and it
 * ends when its session ends (the replica died, or its connection broke).
 */
final class ServerLock implements AutoCloseable {
    private final Connection connection;

    private ServerLock(Connection connection) {
        this.connection = connection;
    }

    /** The key of the lock on a fenced database (by its live name). */
    static String fence(String database) {
        return "lifeboat:fence:" + database;
    }

    /** The key of the lock on a scratch database. */
    static String scratch(String name) {
        return "lifeboat:scratch:" + name;
    }

    /**
     * Takes the lock on a connection of its own to {@code server}'s maintenance database.
     *
     * @return the held lock, or null when another session holds it
     */
    static ServerLock tryTake(PgConnectInfo server, String key) throws SQLException {
        Connection c = server.open();
        try {
            if (tryTake(c, key)) {
                return new ServerLock(c);
            }
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    /** Takes the lock for the session of {@code c} (released when that session ends); false when another session holds it. */
    static boolean tryTake(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended(?, 0))")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** The connection that holds the lock (usable for work that must happen under it). */
    Connection connection() {
        return connection;
    }

    /** Ends the session, and with it the lock. */
    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // the session is gone either way, and the lock with it
        }
    }
}
