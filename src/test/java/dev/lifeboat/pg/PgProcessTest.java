package dev.lifeboat.pg;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * Running the real pg_dump (and psql) as a child process: the password stays out of its arguments and
 * environment, the password file is private and short-lived, and failures, timeouts and cancels are
 * reported with the exit code and stderr.
 */
class PgProcessTest {
    /** Distinctive, and with the two characters a .pgpass file must escape. */
    static final String SECRET = "Lb:pw\\x-" + Long.toHexString(System.nanoTime());

    final PgTestDb pg = new PgTestDb();
    final PgTools tools = new PgTools(PgTools.defaultBinDirs());
    String role;
    String db;
    PgConnectInfo info;
    PgTools.Tool pgDump;

    @BeforeEach
    void database() throws Exception {
        role = pg.createRole(SECRET, "LOGIN");
        db = pg.createDatabase(role);
        info = new PgConnectInfo("secretive", PgTestDb.HOST, PgTestDb.PORT, db, role, SECRET, Duration.ofSeconds(5));
        try (Connection c = PgTestDb.connect(db); Statement st = c.createStatement()) {
            st.execute("SET ROLE " + role);
            st.execute("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
        }
        pgDump = tools.pgDump(ServerInfo.probe(info));
    }

    @AfterEach
    void drop() throws Exception {
        pg.dropAll();
    }

    @Test
    void thePasswordIsNeverOnTheCommandLineAndItsFileIsPrivateAndShortLived() throws Exception {
        try (Connection locker = lockTable()) {
            try (PgProcess p = dump(Duration.ofMinutes(10), Duration.ofMinutes(2)).start(pgDump, info)) {
                awaitWaitingOnLock();
                String cmdline = proc(p.pid(), "cmdline");
                String environ = proc(p.pid(), "environ");
                assertThat(cmdline).contains("--format=custom", "--no-password", "--lock-wait-timeout=600000").doesNotContain(SECRET);
                assertThat(environ).doesNotContain(SECRET).doesNotContain("PGPASSWORD")
                        .contains("PGHOST=" + PgTestDb.HOST, "PGUSER=" + role, "PGDATABASE=" + db, "PGPASSFILE=" + p.passfile());
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p.passfile()))).isEqualTo("rw-------");
                assertThat(Files.readString(p.passfile())).isEqualTo("*:*:*:*:" + SECRET.replace("\\", "\\\\").replace(":", "\\:") + "\n");

                locker.rollback();
                byte[] archive = p.stdout().readAllBytes();
                p.waitFor();
                assertThat(archive).startsWith("PGDMP".getBytes(StandardCharsets.US_ASCII)); // so the escaped password worked
                assertThat(p.passfile()).doesNotExist();
            }
        }
    }

    @Test
    void cancelStopsPgDumpPromptlyAndItsQueryOnTheServer() throws Exception {
        try (Connection locker = lockTable()) {
            PgProcess p = dump(Duration.ofMinutes(10), Duration.ofMinutes(10)).start(pgDump, info);
            awaitWaitingOnLock();
            Path passfile = p.passfile();
            long start = System.nanoTime();
            p.cancel();
            await().atMost(Duration.ofSeconds(5)).until(() -> !p.isAlive());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(PgProcess.KILL_GRACE_SECONDS + 1));
            PgProcessException e = catchThrowableOfType(p::waitFor, PgProcessException.class);
            assertThat(e.reason()).isEqualTo(PgProcessException.Reason.CANCELLED);
            assertThat(e).hasMessageStartingWith("pg_dump (target secretive, " + PgTestDb.HOST + ":" + PgTestDb.PORT + "/" + db
                    + " as " + role + ") was cancelled.");
            assertThat(passfile).doesNotExist();
            // pg_dump asked the server to cancel its LOCK: nothing is left queued behind the lock holder.
            await().atMost(Duration.ofSeconds(10)).until(() -> lifeboatSessions() == 0);
            p.close();
        }
    }

    @Test
    void aFailureCarriesTheExitCodeAndTheEndOfStderrButNoPassword() throws Exception {
        try (Connection locker = lockTable(); PgProcess p = dump(Duration.ofSeconds(1), Duration.ofMinutes(2)).start(pgDump, info)) {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p));
            PgProcessException e = catchThrowableOfType(p::waitFor, PgProcessException.class);
            out.join();
            assertThat(e.reason()).isEqualTo(PgProcessException.Reason.FAILED);
            assertThat(e.exitCode()).isEqualTo(1);
            assertThat(e.stderrTail()).anySatisfy(l -> assertThat(l).contains("canceling statement due to statement timeout")); // how pg_dump applies --lock-wait-timeout
            assertThat(e).hasMessageContaining(") failed with exit code 1. Its last stderr lines:\n  pg_dump: error:")
                    .hasMessageContaining("LOCK TABLE public.t IN ACCESS SHARE MODE")
                    .hasMessageContaining("Hint:");
            assertThat(stackTrace(e)).doesNotContain(SECRET);
            assertThat(p.passfile()).doesNotExist();
        }
    }

    @Test
    void aRunLongerThanItsTimeoutIsKilled() throws Exception {
        try (Connection locker = lockTable(); PgProcess p = dump(Duration.ofMinutes(10), Duration.ofSeconds(2)).start(pgDump, info)) {
            long start = System.nanoTime();
            PgProcessException e = catchThrowableOfType(p::waitFor, PgProcessException.class);
            assertThat(e.reason()).isEqualTo(PgProcessException.Reason.TIMED_OUT);
            assertThat(e).hasMessageContaining("was killed after running longer than PT2S");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2 + PgProcess.KILL_GRACE_SECONDS + 2));
        }
    }

    @Test
    void theGenericRunnerServesOtherToolsTheSameWay() throws Exception {
        PgTools.Tool psql = tools.choose("psql", ServerInfo.probe(info).major(), "secretive");
        try (PgProcess p = PgProcess.start(PgCommand.of(psql).args("--no-password", "-X", "-At", "-c", "SELECT current_user, current_database()")
                .connection(info).timeout(Duration.ofSeconds(30)))) {
            String out = new String(p.stdout().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            assertThat(out).isEqualTo(role + "|" + db);
        }
        PgProcessException e = catchThrowableOfType(() -> {
            try (PgProcess p = PgProcess.start(PgCommand.of(psql).args("--no-password", "-X", "-c", "SELECT nope")
                    .connection(info).stdout(PgCommand.Stdout.DISCARD))) {
                p.waitFor();
            }
        }, PgProcessException.class);
        assertThat(e.exitCode()).isEqualTo(1);
        assertThat(e.stderrTail()).anySatisfy(l -> assertThat(l).contains("column \"nope\" does not exist"));
    }

    @Test
    void pgpassFieldsEscapeBackslashAndColon() {
        assertThat(PgProcess.escapePgpass("a:b\\c")).isEqualTo("a\\:b\\\\c");
        assertThat(PgProcess.escapePgpass("plain")).isEqualTo("plain");
    }

    PgDump dump(Duration lockWait, Duration timeout) {
        return new PgDump("custom", null, lockWait, timeout, List.of());
    }

    /** Another session holds an exclusive lock on t (until rollback or close), so pg_dump waits for its shared one. */
    Connection lockTable() throws Exception {
        Connection c = PgTestDb.connect(db);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    void awaitWaitingOnLock() {
        await().atMost(Duration.ofSeconds(20)).until(() -> PgTestDb.count(db, "SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = 'lifeboat-pg_dump' AND wait_event_type = 'Lock'") == 1);
    }

    long lifeboatSessions() throws Exception {
        return PgTestDb.count(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND application_name = 'lifeboat-pg_dump'");
    }

    static String proc(long pid, String file) throws Exception {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), file)), StandardCharsets.UTF_8).replace('\0', ' ');
    }

    static byte[] readAll(PgProcess p) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            p.stdout().transferTo(b);
            return b.toByteArray();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static String stackTrace(Throwable e) {
        StringWriter w = new StringWriter();
        e.printStackTrace(new PrintWriter(w));
        return w.toString();
    }
}
