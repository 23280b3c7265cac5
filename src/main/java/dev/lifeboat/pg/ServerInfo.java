package dev.lifeboat.pg;

import dev.lifeboat.target.Target;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * What Lifeboat learns about a target's server before it dumps: the version decides which pg_dump to
 * run, the database size is recorded with the backup (and lets a restore check free space).
 *
 * @param versionNum   {@code server_version_num}, e.g. {@code 150018}
 * @param version      {@code server_version}, e.g. {@code 15.18 (Debian 15.18-0+deb12u1)}
 * @param databaseSize {@code pg_database_size} of the target's database, in bytes
 */
public record ServerInfo(String target, int versionNum, String version, long databaseSize) {

    /** The major version: 15 for 15.18, 9 for 9.6 (servers before 10 are only told apart coarsely). */
    public int major() {
        return majorOf(versionNum);
    }

    /** Connects to the target and reads its version and database size; errors as in {@link PgConnectInfo#open()}. */
    public static ServerInfo probe(Target target, Duration connectTimeout) {
        return probe(PgConnectInfo.of(target, connectTimeout));
    }

    /** Connects and reads version and database size; errors as in {@link PgConnectInfo#open()}. */
    public static ServerInfo probe(PgConnectInfo info) {
        try (Connection c = info.open(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, current_setting('server_version'),"
                     + " pg_database_size(current_database())")) {
            rs.next();
            return new ServerInfo(info.target(), rs.getInt(1), rs.getString(2), rs.getLong(3));
        } catch (SQLException e) {
            throw new PgConnectException("cannot read the server version (" + info.describe() + "): " + info.redact(e.getMessage())
                    + ". Hint: the job is retried", e);
        }
    }

    /** Major version from a {@code server_version_num}: 150018 → 15, 90624 → 9. */
    public static int majorOf(int versionNum) {
        return versionNum / 10000;
    }

    /** Major version from a version string such as {@code 15.18 (Debian …)}; 0 when it has none. */
    public static int majorOf(String version) {
        try {
            return Integer.parseInt(version.split("[.\\s]")[0]);
        } catch (RuntimeException e) {
            return 0;
        }
    }
}
