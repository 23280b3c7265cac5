package dev.lifeboat.pg;

import dev.lifeboat.target.Profile;
import dev.lifeboat.target.Target;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Probing a target's server, and how connection failures are classified (permanent or retryable). */
class ServerInfoTest {
    static final String SECRET = "Pr0be-S3cret-" + Long.toHexString(System.nanoTime());

    final PgTestDb pg = new PgTestDb();

    @AfterEach
    void drop() throws Exception {
        pg.dropAll();
    }

    @Test
    void probeReadsVersionAndDatabaseSize() throws Exception {
        String db = pg.createDatabase(); // quiet, unlike lifeboat_test
        ServerInfo info = ServerInfo.probe(target(db, PgTestDb.USER, PgTestDb.PASSWORD, PgTestDb.PORT), Duration.ofSeconds(5));
        assertThat(info.target()).isEqualTo("alpha");
        assertThat((long) info.versionNum()).isEqualTo(PgTestDb.count(db, "SELECT current_setting('server_version_num')::int"));
        assertThat(info.major()).isEqualTo(info.versionNum() / 10000);
        assertThat(info.version()).startsWith(info.major() + ".");
        // Within 10 %: autovacuum may tidy a freshly created database between the two reads.
        long size = PgTestDb.count(db, "SELECT pg_database_size(current_database())");
        assertThat(info.databaseSize()).isPositive().isBetween(size * 9 / 10, size * 11 / 10);
    }

    @Test
    void aWrongPasswordIsPermanentAndNeverShowsThePassword() throws Exception {
        String role = pg.createRole("the-right-one", "LOGIN");
        Throwable e = catchThrowable(() -> ServerInfo.probe(target("lifeboat_test", role, SECRET, PgTestDb.PORT), Duration.ofSeconds(5)));
        assertThat(e).isInstanceOf(PgPermanentException.class)
                .hasMessage("password authentication failed (target alpha, " + PgTestDb.HOST + ":" + PgTestDb.PORT + "/lifeboat_test as "
                        + role + "). Hint: check the password configured in lifeboat.targets.alpha.password or password-file");
        assertThat(stackTrace(e)).doesNotContain(SECRET);
    }

    @Test
    void anUnknownDatabaseIsPermanent() {
        Throwable e = catchThrowable(() -> ServerInfo.probe(target("no_such_db_x", PgTestDb.USER, PgTestDb.PASSWORD, PgTestDb.PORT),
                Duration.ofSeconds(5)));
        assertThat(e).isInstanceOf(PgPermanentException.class)
                .hasMessageStartingWith("database no_such_db_x does not exist (target alpha, " + PgTestDb.HOST)
                .hasMessageEndingWith("Hint: check lifeboat.targets.alpha.database");
    }

    @Test
    void anUnknownOrNonLoginRoleIsPermanent() throws Exception {
        Throwable unknown = catchThrowable(() -> ServerInfo.probe(target("lifeboat_test", "lbt_nobody", SECRET, PgTestDb.PORT),
                Duration.ofSeconds(5)));
        // With password authentication the server does not reveal whether the role exists.
        assertThat(unknown).isInstanceOf(PgPermanentException.class).hasMessageContaining("as lbt_nobody");
        assertThat(stackTrace(unknown)).doesNotContain(SECRET);

        String noLogin = pg.createRole(SECRET, "NOLOGIN");
        Throwable e = catchThrowable(() -> ServerInfo.probe(target("lifeboat_test", noLogin, SECRET, PgTestDb.PORT), Duration.ofSeconds(5)));
        assertThat(e).isInstanceOf(PgPermanentException.class)
                .hasMessageStartingWith("the server rejected role " + noLogin + " (target alpha")
                .hasMessageContaining("not permitted to log in")
                .hasMessageContaining("Hint:");
        assertThat(stackTrace(e)).doesNotContain(SECRET);
    }

    @Test
    void aRefusedConnectionIsRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Target closed = new Target("alpha", "127.0.0.1", port, "lifeboat_test", PgTestDb.USER, List.of(), Profile.GENERIC,
                new Target.PasswordSource.Literal(SECRET));
        Throwable e = catchThrowable(() -> ServerInfo.probe(closed, Duration.ofSeconds(5)));
        assertThat(e).isInstanceOf(PgConnectException.class).isNotInstanceOf(PgPermanentException.class)
                .hasMessageStartingWith("cannot connect (target alpha, 127.0.0.1:" + port + "/lifeboat_test as lifeboat_test)")
                .hasMessageContaining("Hint:");
        assertThat(stackTrace(e)).doesNotContain(SECRET);
    }

    @Test
    void aServerThatNeverAnswersTimesOutRetryably() throws Exception {
        // Accepts TCP connections (the kernel completes them) but never says a word.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Target t = new Target("alpha", "127.0.0.1", silent.getLocalPort(), "lifeboat_test", PgTestDb.USER, List.of(), Profile.GENERIC,
                    new Target.PasswordSource.Literal(SECRET));
            long start = System.nanoTime();
            Throwable e = catchThrowable(() -> ServerInfo.probe(t, Duration.ofSeconds(2)));
            assertThat(e).isInstanceOf(PgConnectException.class).hasMessageContaining("cannot connect (target alpha");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        }
    }

    static Target target(String database, String user, String password, int port) {
        return new Target("alpha", PgTestDb.HOST, port, database, user, List.of("local"), Profile.GENERIC,
                new Target.PasswordSource.Literal(password));
    }

    static String stackTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
