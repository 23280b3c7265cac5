package dev.lifeboat.pg;

import dev.lifeboat.target.Server;
import dev.lifeboat.target.Target;
import dev.lifeboat.target.Tls;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * Where and as whom to connect to one database: what both Lifeboat's own JDBC connections and the
 * PostgreSQL tools it runs need. The password is read from the target once per use and kept only
 * here; {@link #toString()} never shows it, and {@link #redact(String)} scrubs it from any text that
 * might end up in a log or a job's error.
 *
 * @param target   the target's name, or {@code server <name>} for one of {@code lifeboat.servers.*}: for messages and hints
 * @param password may be null (no password configured)
 */
public record PgConnectInfo(String target, String host, int port, String database, String username, String password,
                            Duration connectTimeout, Tls tls) {

    /** Connection info with libpq's default TLS (prefer, certificate not checked). */
    public PgConnectInfo(String target, String host, int port, String database, String username, String password,
                         Duration connectTimeout) {
        this(target, host, port, database, username, password, connectTimeout, Tls.DEFAULT);
    }

    /** Connection info of a target's own database, reading its password now (a password file is re-read at each use). */
    public static PgConnectInfo of(Target target, Duration connectTimeout) {
        return of(target.ownServer(), target.database(), connectTimeout);
    }

    /** Connection info of {@code database} on {@code server}, reading its password now. */
    public static PgConnectInfo of(Server server, String database, Duration connectTimeout) {
        String label = server.own() ? server.name() : "server " + server.name();
        String password;
        try {
            password = server.password().orElse(null);
        } catch (IOException e) {
            throw new PgPermanentException("cannot read the password file of " + server.describe() + ": " + e.getMessage()
                    + ". Hint: check " + configKey(label) + ".password-file and the mounted Secret", e);
        }
        return new PgConnectInfo(label, server.host(), server.port(), database, server.username(), password, connectTimeout, server.tls());
    }

    /** {@code lifeboat.targets.<name>} or {@code lifeboat.servers.<name>}: where this connection is configured. */
    public String configKey() {
        return configKey(target);
    }

    private static String configKey(String label) {
        return label.startsWith("server ") ? "lifeboat.servers." + label.substring(7) : "lifeboat.targets." + label;
    }

    /** The same server and credentials, another database (a restore or drill scratch database, or {@code postgres}). */
    public PgConnectInfo withDatabase(String otherDatabase) {
        return new PgConnectInfo(target, host, port, otherDatabase, username, password, connectTimeout, tls);
    }

    /**
     * A connection for work that must not be connected to the target's database (creating, renaming,
     * dropping databases): {@code postgres}, else {@code template1}, else the target's database itself.
     *
     * @throws RuntimeException the first database's connection error when none of them can be reached
     */
    public PgConnectInfo maintenance() {
        RuntimeException first = null;
        for (String db : List.of("postgres", "template1", database)) {
            PgConnectInfo candidate = withDatabase(db);
            try (Connection c = candidate.open()) {
                return candidate;
            } catch (SQLException | RuntimeException e) {
                if (first == null && e instanceof RuntimeException re) {
                    first = re;
                }
            }
        }
        throw first != null ? first : new PgConnectException("cannot connect to any database of target " + target, null);
    }

    /** {@code target mastodon, 10.0.0.5:5432/mastodon_production as mastodon}: names everything but the password. */
    public String describe() {
        return (target.startsWith("server ") ? target : "target " + target) + ", " + host + ":" + port + "/" + database + " as " + username;
    }

    /** Replaces the password in {@code text} by {@code ***} (a defence in depth: no message should contain it anyway). */
    public String redact(String text) {
        if (text == null || password == null || password.length() < 4) {
            return text;
        }
        return text.replace(password, "***");
    }

    /**
     * Opens a JDBC connection, turning failures into what a job can act on: a wrong password, an unknown
     * role or database is a {@link PgPermanentException} (retrying cannot fix configuration); anything
     * else (refused, timed out, server starting up, too many connections) is a retryable
     * {@link PgConnectException}. Messages name target, host and database, never the password.
     */
    public Connection open() {
        Properties props = new Properties();
        props.setProperty("user", username);
        if (password != null) {
            props.setProperty("password", password);
        }
        int timeoutSeconds = (int) Math.max(1, connectTimeout.toSeconds());
        props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("ApplicationName", "lifeboat");
        // A control connection may sit idle in its transaction for hours while pg_dump works: keep it alive.
        props.setProperty("tcpKeepAlive", "true");
        // Objects in the target's own schemas (a planted public.quote_ident, say) never stand in for the
        // built-in functions Lifeboat calls: only pg_catalog (and this session's temporary schema) is searched.
        props.setProperty("options", "-c search_path=" + SAFE_SEARCH_PATH);
        props.setProperty("sslmode", tls.mode().id());
        if (tls.rootCert() != null) {
            props.setProperty("sslrootcert", tls.rootCert().toString());
        }
        try {
            return DriverManager.getConnection(jdbcUrl(), props);
        } catch (SQLException e) {
            throw connectError(e);
        }
    }

    /** The search_path of every connection Lifeboat makes to a target, scratch or maintenance database. */
    public static final String SAFE_SEARCH_PATH = "pg_catalog,pg_temp";

    /** {@code jdbc:postgresql://host:port/database}; holds no credentials. */
    public String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + urlEncode(database);
    }

    private RuntimeException connectError(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String server = redact(String.valueOf(e.getMessage()));
        String where = describe();
        return switch (state) {
            case "28P01" -> new PgPermanentException("password authentication failed (" + where + "). Hint: check the password"
                    + " configured in " + configKey() + ".password or password-file", e);
            case "28000" -> new PgPermanentException("the server rejected role " + username + " (" + where + "): " + server
                    + ". Hint: check that the role exists, may log in, and that pg_hba.conf allows it from Lifeboat's address", e);
            case "3D000" -> new PgPermanentException("database " + database + " does not exist (" + where + "). Hint: check"
                    + " " + configKey() + ".database", e);
            case "42501" -> new PgPermanentException("role " + username + " may not connect (" + where + "): " + server
                    + ". Hint: GRANT CONNECT ON DATABASE " + database + " TO " + username, e);
            default -> tlsProblem(e) != null
                    ? new PgPermanentException("cannot connect (" + where + ") with sslmode=" + tls.mode().id() + ": " + tlsProblem(e)
                            + ". Hint: check " + configKey() + ".sslmode and sslrootcert, and the server's certificate"
                            + " (its name must be the host Lifeboat connects to for verify-full)", e)
                    : new PgConnectException("cannot connect (" + where + "): " + server
                    + ". Hint: check that the server is up and reachable from Lifeboat; the job is retried", e);
        };
    }

    /** What went wrong with TLS, if that is why the connection failed (names no secret). */
    private static String tlsProblem(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof SSLException || m.contains("does not support SSL") || m.contains("SSL error")
                    || m.contains("certificate") || m.contains("hostnameverifier") || m.contains("could not be verified")) {
                return m;
            }
        }
        return null;
    }

    private static String urlEncode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public String toString() {
        return "PgConnectInfo[" + describe() + ", password " + (password == null ? "none" : "***") + "]";
    }
}
