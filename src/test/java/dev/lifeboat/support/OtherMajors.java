package dev.lifeboat.support;

import dev.lifeboat.pg.PgTestDb;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * Real PostgreSQL servers of majors 14, 16 and 17 (from {@link PgDist}), started before the service
 * for every Quarkus test, and the configuration that names them:
 * <ul>
 *   <li>target {@code v14}: database {@code lifeboat_v14} on the 14 server, drilled on server {@code pg15}
 *       (the local PostgreSQL 15), backed up with pg_dump 15;</li>
 *   <li>target {@code v17}: a database on the 17 server, which no installed pg_dump can dump;</li>
 *   <li>servers {@code pg16} and {@code pg17}, which target {@code shop}'s backups may be restored to and
 *       drilled on.</li>
 * </ul>
 */
public class OtherMajors implements QuarkusTestResourceLifecycleManager {
    public static TestPgServer pg14;
    public static TestPgServer pg16;
    public static TestPgServer pg17;

    @Override
    public Map<String, String> start() {
        try {
            pg14 = TestPgServer.start(PgDist.bin(PgDist.V14), Map.of(), Map.of());
            pg16 = TestPgServer.start(PgDist.bin(PgDist.V16), Map.of(), Map.of());
            pg17 = TestPgServer.start(PgDist.bin(PgDist.V17), Map.of(), Map.of());
            exec(pg14, "postgres", "CREATE DATABASE lifeboat_v14");
            exec(pg14, "lifeboat_v14", "CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL)",
                    "INSERT INTO accounts (username) SELECT 'user' || g FROM generate_series(1, 1200) g",
                    "CREATE TABLE statuses (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint REFERENCES accounts,"
                            + " text text)",
                    "INSERT INTO statuses (account_id, text) SELECT 1 + g % 1200, 'toot ' || g FROM generate_series(1, 3000) g");
            exec(pg17, "postgres", "CREATE DATABASE lifeboat_v17");
        } catch (Exception e) {
            throw new IllegalStateException("could not start the PostgreSQL servers of other majors: " + e.getMessage(), e);
        }
        Map<String, String> config = new HashMap<>();
        target(config, "v14", pg14, "lifeboat_v14");
        config.put("lifeboat.targets.v14.drill.server", "pg15");
        // The drill server's own role owns what drills restore there (the 14 server's superuser does not exist on it).
        config.put("lifeboat.targets.v14.restore.role", PgTestDb.USER);
        target(config, "v17", pg17, "lifeboat_v17");
        server(config, "pg15", PgTestDb.HOST, PgTestDb.PORT, PgTestDb.USER, PgTestDb.PASSWORD);
        server(config, "pg16", "localhost", pg16.port(), TestPgServer.USER, TestPgServer.PASSWORD);
        server(config, "pg17", "localhost", pg17.port(), TestPgServer.USER, TestPgServer.PASSWORD);
        config.put("lifeboat.targets.shop.restore.servers", "pg16,pg17");
        return config;
    }

    private static void target(Map<String, String> config, String name, TestPgServer server, String database) {
        String key = "lifeboat.targets." + name + ".";
        config.put(key + "host", "localhost");
        config.put(key + "port", Integer.toString(server.port()));
        config.put(key + "database", database);
        config.put(key + "username", TestPgServer.USER);
        config.put(key + "password", TestPgServer.PASSWORD);
        config.put(key + "storage", "local");
    }

    private static void server(Map<String, String> config, String name, String host, int port, String user, String password) {
        String key = "lifeboat.servers." + name + ".";
        config.put(key + "host", host);
        config.put(key + "port", Integer.toString(port));
        config.put(key + "username", user);
        config.put(key + "password", password);
    }

    /** Runs statements on a database of one of these servers, as its superuser. */
    public static void exec(TestPgServer server, String database, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + server.port() + "/" + database,
                TestPgServer.USER, TestPgServer.PASSWORD); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    @Override
    public void stop() {
        for (TestPgServer s : new TestPgServer[]{pg14, pg16, pg17}) {
            if (s != null) {
                try {
                    s.close();
                } catch (Exception ignored) {
                    // the JVM is ending
                }
            }
        }
    }

    /** Registers the servers for every Quarkus test (the test configuration names them). */
    @QuarkusTestResource(OtherMajors.class)
    public static final class Registration {
    }
}
