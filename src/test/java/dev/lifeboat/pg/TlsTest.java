package dev.lifeboat.pg;

import dev.lifeboat.support.TestPgServer;
import dev.lifeboat.target.Tls;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * sslmode and sslrootcert apply to Lifeboat's own connections and to the tools alike, against a real
 * PostgreSQL with TLS on and a certificate authority the test makes: verify-full passes for the name in
 * the certificate and fails for another; require fails against a server without TLS.
 */
class TlsTest {
    static Path certs;
    static TestPgServer server;
    static PgTools tools = new PgTools(PgTools.defaultBinDirs());

    @BeforeAll
    static void serverWithTls() throws Exception {
        certs = Files.createTempDirectory("lifeboat-tls-");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=lifeboat-test-ca", "-days", "2");
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
        Files.writeString(certs.resolve("san.ext"), "subjectAltName=DNS:localhost\n");
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt",
                "-days", "2", "-extfile", "san.ext");
        Path bin = tools.choose("pg_dump", 15, "tls").path().getParent();
        server = TestPgServer.start(bin, Map.of("ssl", "on", "ssl_cert_file", "'server.crt'", "ssl_key_file", "'server.key'"),
                Map.of("server.crt", Files.readAllBytes(certs.resolve("server.crt")), "server.key", Files.readAllBytes(certs.resolve("server.key"))));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static void openssl(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(certs.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    static PgConnectInfo conn(String host, int port, String user, String password, Tls tls) {
        return new PgConnectInfo("tls", host, port, "postgres", user, password, Duration.ofSeconds(5), tls);
    }

    /** pg_dump --schema-only of the postgres database, to nowhere: a tool connecting as the target's settings say. */
    static void dumpWith(PgConnectInfo c) throws InterruptedException {
        PgCommand cmd = PgCommand.of(tools.choose("pg_dump", 15, "tls")).args("--schema-only", "--no-password")
                .connection(c).timeout(Duration.ofSeconds(30)).stdout(PgCommand.Stdout.DISCARD);
        try (PgProcess p = PgProcess.start(cmd)) {
            p.waitFor();
        }
    }

    @Test
    void verifyFullConnectsWhenTheCertificateNamesTheHost() throws Exception {
        PgConnectInfo c = conn("localhost", server.port(), TestPgServer.USER, TestPgServer.PASSWORD,
                new Tls(Tls.Mode.VERIFY_FULL, certs.resolve("ca.crt")));
        assertThat(ServerInfo.probe(c).major()).isEqualTo(15);
        dumpWith(c);
    }

    @Test
    void verifyFullRefusesAHostTheCertificateDoesNotName() {
        PgConnectInfo c = conn("127.0.0.1", server.port(), TestPgServer.USER, TestPgServer.PASSWORD,
                new Tls(Tls.Mode.VERIFY_FULL, certs.resolve("ca.crt")));
        Throwable jdbc = catchThrowable(c::open);
        assertThat(jdbc).isInstanceOf(PgPermanentException.class).hasMessageContaining("sslmode=verify-full")
                .hasMessageContaining("Hint: check lifeboat.targets.tls.sslmode");
        Throwable tool = catchThrowable(() -> dumpWith(c));
        assertThat(tool).isInstanceOf(PgProcessException.class);
        assertThat(String.join("\n", ((PgProcessException) tool).stderrTail())).containsIgnoringCase("127.0.0.1");
    }

    @Test
    void requireFailsClearlyAgainstAServerWithoutTls() {
        PgConnectInfo c = conn(PgTestDb.HOST, PgTestDb.PORT, PgTestDb.USER, PgTestDb.PASSWORD, new Tls(Tls.Mode.REQUIRE, null));
        Throwable jdbc = catchThrowable(c::open);
        assertThat(jdbc).isInstanceOf(PgPermanentException.class).hasMessageContaining("sslmode=require")
                .hasMessageContaining("does not support SSL");
        Throwable tool = catchThrowable(() -> dumpWith(c));
        assertThat(String.join("\n", ((PgProcessException) tool).stderrTail())).containsIgnoringCase("SSL");
    }
}
