package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.storage.S3TestResource;
import dev.lifeboat.support.Db;
import dev.lifeboat.support.Fixtures;
import dev.lifeboat.support.PgCompare;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The backup pipeline end to end through the API, against real PostgreSQL databases, the real
 * pg_dump, S3Proxy over HTTP and the filesystem store, with the test age key of application.properties.
 */
@QuarkusTest
class BackupTest {
    static final Path LOCAL_ROOT = Path.of("target/test-backups");
    static final Path IDENTITY = Path.of("src/test/resources/age/test-identity.txt");

    @Inject
    Db db;
    @Inject
    ObjectMapper json;

    @BeforeAll
    static void databases() throws Exception {
        TargetDbs.recreateShop();
        TargetDbs.recreateBulk();
    }

    static JsonPath startBackup(String target) {
        Response r = as(OPERATOR).contentType("application/json").body(Map.of("target", target)).post("/api/v1/backups");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        return r.jsonPath();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static List<String> s3Keys(String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        for (S3Object o : S3TestResource.server().admin().listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()) {
            keys.add(o.key());
        }
        return keys;
    }

    static byte[] s3Get(String bucket, String key) {
        ResponseBytes<GetObjectResponse> bytes = S3TestResource.server().admin().getObjectAsBytes(b -> b.bucket(bucket).key(key));
        return bytes.asByteArray();
    }

    /** Runs a command, failing the test with its output if it exits non-zero. */
    static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }

    static Map<String, String> pgEnv(String database) {
        return Map.of("PGHOST", PgTestDb.HOST, "PGPORT", Integer.toString(PgTestDb.PORT), "PGUSER", PgTestDb.USER,
                "PGPASSWORD", PgTestDb.PASSWORD, "PGDATABASE", database);
    }

    @Test
    void aBackupStoresVerifiedEncryptedCopiesInEveryStorageThatAgeAndPgRestoreRead(@TempDir Path tmp) throws Exception {
        JsonPath job = backupSucceeds("shop");
        String id = job.getString("result.backupId");
        long size = job.getLong("result.sizeBytes");
        String sha = job.getString("result.sha256");
        assertThat(sha).matches("[0-9a-f]{64}");

        // The gauges follow the finished job (a follow-up), a moment after it.
        String metrics = await().atMost(Duration.ofSeconds(30)).until(() -> io.restassured.RestAssured.get("/q/metrics").then().statusCode(200)
                .extract().asString(), m -> m.contains("lifeboat_backup_size_bytes{target=\"shop\"} " + (double) size));
        assertThat(metrics).contains("lifeboat_backup_size_bytes{target=\"shop\"} " + (double) size)
                .containsPattern("lifeboat_backup_last_success_timestamp_seconds\\{target=\"shop\"\\} 1\\.7")
                .containsPattern("lifeboat_backup_duration_seconds\\{target=\"shop\"\\} [0-9.]+")
                .contains("lifeboat_backup_anomalies_total{target=\"shop\"}");

        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(backup.getString("status")).isEqualTo("available");
        assertThat(backup.getString("target")).isEqualTo("shop");
        assertThat(backup.getString("format")).isEqualTo("custom");
        assertThat(backup.getBoolean("encrypted")).isTrue();
        assertThat(backup.getLong("sizeBytes")).isEqualTo(size);
        assertThat(backup.getString("sha256")).isEqualTo(sha);
        assertThat(backup.getString("serverVersion")).startsWith("15.");
        assertThat(backup.getList("locations.storage")).containsExactly("local", "s3");
        Map<String, Integer> counts = backup.getMap("rowCounts");
        assertThat(counts).containsEntry("public.accounts", 1500);
        assertThat(counts.get("public.statuses_2025") + counts.get("public.statuses_2026")).isEqualTo(4000);

        // The filesystem copy, its manifest and the roles file, laid out as documented.
        String key = backup.getString("locations[0].key");
        assertThat(key).matches("shop/\\d{4}/\\d{2}/\\d{2}/" + id + "/dump\\.pgc\\.zst\\.age");
        Path dump = LOCAL_ROOT.resolve(key);
        byte[] stored = Files.readAllBytes(dump);
        assertThat(stored).hasSize((int) size);
        assertThat(sha256(stored)).isEqualTo(sha);
        assertThat(new String(stored, 0, 21, StandardCharsets.US_ASCII)).isEqualTo("age-encryption.org/v1");
        JsonNode manifest = json.readTree(dump.resolveSibling("manifest.json").toFile());
        assertThat(manifest.get("backupId").asText()).isEqualTo(id);
        assertThat(manifest.get("formatVersion").asInt()).isEqualTo(1);
        assertThat(manifest.get("database").asText()).isEqualTo("lifeboat_shop");
        assertThat(manifest.at("/dump/name").asText()).isEqualTo("dump.pgc.zst.age");
        assertThat(manifest.get("compression").asText()).isEqualTo("zstd");
        assertThat(manifest.get("rowCountsFrom").asText()).as("counted in the archive as it streamed by").isEqualTo("archive");
        assertThat(manifest.get("archiveBytes").asLong()).as("the archive pg_dump wrote is larger than its zstd").isGreaterThan(size);
        assertThat(manifest.at("/dump/sha256").asText()).isEqualTo(sha);
        assertThat(manifest.at("/dump/sizeBytes").asLong()).isEqualTo(size);
        assertThat(manifest.at("/encryption/type").asText()).isEqualTo("age");
        assertThat(manifest.at("/encryption/recipients/0").asText()).startsWith("age1");
        assertThat(manifest.at("/rowCounts/public.accounts").asLong()).isEqualTo(1500);
        assertThat(manifest.get("pgDumpVersion").asText()).startsWith("15.");
        assertThat(manifest.get("lifeboatVersion").asText()).isNotBlank();
        assertThat(manifest.get("username").asText()).isEqualTo("lifeboat_shop");
        assertThat(manifest.at("/schemaCounts/tables").asLong()).isEqualTo(4); // accounts, statuses and its 2 partitions
        assertThat(Files.exists(dump.resolveSibling("globals.sql.age"))).isTrue();

        // The S3 copy is byte-identical, under the store's prefix.
        byte[] fromS3 = s3Get("backups", "lifeboat/" + backup.getString("locations[1].key"));
        assertThat(sha256(fromS3)).isEqualTo(sha);
        assertThat(s3Keys("backups", "lifeboat/" + key.substring(0, key.lastIndexOf('/') + 1)))
                .extracting(k -> k.substring(k.lastIndexOf('/') + 1))
                .containsExactlyInAnyOrder("dump.pgc.zst.age", "globals.sql.age", "manifest.json");

        // Standard tools only: age decrypts it, zstd decompresses it, pg_restore restores it, and the counts match the manifest.
        Path compressed = tmp.resolve("dump.pgc.zst");
        run(Map.of(), "age", "--decrypt", "-i", IDENTITY.toString(), "-o", compressed.toString(), dump.toString());
        Path plain = tmp.resolve("dump.pgc");
        run(Map.of(), "zstd", "-q", "-d", "-o", plain.toString(), compressed.toString());
        assertThat(Files.size(plain)).isEqualTo(manifest.get("archiveBytes").asLong());
        String restored = "lbt_restored_" + id.substring(0, 8);
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored, "CREATE DATABASE " + restored);
        try {
            run(pgEnv(restored), "pg_restore", "--no-owner", "--exit-on-error", "--dbname=" + restored, plain.toString());
            Map<String, Long> expected = new TreeMap<>();
            manifest.get("rowCounts").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asLong()));
            assertThat(PgTestDb.countRows(restored, expected.keySet())).isEqualTo(expected);
            assertThat(PgTestDb.count(restored, "SELECT last_value FROM invoice_no")).isEqualTo(1234);
            assertThat(PgTestDb.count(restored, "SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(1);
            Path roles = tmp.resolve("globals.sql");
            run(Map.of(), "age", "--decrypt", "-i", IDENTITY.toString(), "-o", roles.toString(), dump.resolveSibling("globals.sql.age").toString());
            assertThat(Files.readString(roles)).contains("CREATE ROLE lifeboat_shop").doesNotContain(TargetDbs.PASSWORD);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
    }

    @Test
    void aDatabaseWithEveryKindOfObjectRestoresIdenticallyFromItsS3Copy(@TempDir Path tmp) throws Exception {
        String source = "lifeboat_objects";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + source + " WITH (FORCE)", "CREATE DATABASE " + source);
        Fixtures.loadEveryObjectKind(source);

        JsonPath job = backupSucceeds("objects");
        String id = job.getString("result.backupId");
        String key = as(VIEWER).get("/api/v1/backups/" + id).jsonPath().getString("locations[0].key");
        Path encrypted = tmp.resolve("dump.pgc.zst.age");
        Files.write(encrypted, s3Get("backups", "lifeboat/" + key));
        JsonNode manifest = json.readTree(s3Get("backups", "lifeboat/" + key.replace("dump.pgc.zst.age", "manifest.json")));
        assertThat(sha256(Files.readAllBytes(encrypted))).isEqualTo(manifest.at("/dump/sha256").asText());

        Path compressed = tmp.resolve("dump.pgc.zst");
        run(Map.of(), "age", "--decrypt", "-i", IDENTITY.toString(), "-o", compressed.toString(), encrypted.toString());
        Path plain = tmp.resolve("dump.pgc");
        run(Map.of(), "zstd", "-q", "-d", "-o", plain.toString(), compressed.toString());
        String restored = "lbt_objects_restored";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)", "CREATE DATABASE " + restored);
        try {
            run(pgEnv(restored), "pg_restore", "--no-owner", "--exit-on-error", "--dbname=" + restored, plain.toString());
            assertThat(PgCompare.compare(source, restored)).as("differences between the database and its restored backup").isEmpty();
            Map<String, Long> expected = new TreeMap<>();
            manifest.get("rowCounts").fields().forEachRemaining(e -> expected.put(e.getKey(), e.getValue().asLong()));
            assertThat(expected).hasSizeGreaterThan(10).containsKey("\"ünïcødé schéma\".\"Émojis 🐘 Tàblé\"");
            assertThat(manifest.get("rowCountsFrom").asText()).as("every kind of object, counted in the archive").isEqualTo("archive");
            assertThat(PgTestDb.countRows(restored, expected.keySet())).isEqualTo(expected);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
    }

    @Test
    void theDirectoryFormatDumpsInParallelAndIsStoredAsOneTarThatRestores(@TempDir Path tmp) throws Exception {
        JsonPath job = backupSucceeds("shopdir");
        String id = job.getString("result.backupId");
        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + id).jsonPath();
        assertThat(backup.getString("format")).isEqualTo("directory");
        String key = backup.getString("locations[0].key");
        assertThat(key).endsWith("/" + id + "/dump.tar.zst.age");
        Path stored = LOCAL_ROOT.resolve(key);
        JsonNode manifest = json.readTree(stored.resolveSibling("manifest.json").toFile());
        assertThat(manifest.get("format").asText()).isEqualTo("directory");
        assertThat(manifest.get("rowCountsFrom").asText()).as("counted in the dumped files").isEqualTo("archive");

        Path compressed = tmp.resolve("dump.tar.zst");
        run(Map.of(), "age", "--decrypt", "-i", IDENTITY.toString(), "-o", compressed.toString(), stored.toString());
        Path tar = tmp.resolve("dump.tar");
        run(Map.of(), "zstd", "-q", "-d", "-o", tar.toString(), compressed.toString());
        Path dir = Files.createDirectory(tmp.resolve("dump"));
        run(Map.of(), "tar", "-x", "-f", tar.toString(), "-C", dir.toString());
        assertThat(dir.resolve("toc.dat")).exists();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).as("table data as pg_dump -Z0 wrote it, compressed once by zstd")
                    .anyMatch(n -> n.endsWith(".dat") && !n.equals("toc.dat")).noneMatch(n -> n.endsWith(".gz"));
        }
        String restored = "lbt_shopdir_restored";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)", "CREATE DATABASE " + restored);
        try {
            run(pgEnv(restored), "pg_restore", "--no-owner", "--exit-on-error", "--jobs=2", "--dbname=" + restored, dir.toString());
            assertThat(PgCompare.compareContent(TargetDbs.SHOP, restored)).isEmpty();
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
        try (Stream<Path> scratch = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(scratch.map(p -> p.getFileName().toString())).as("scratch directory removed")
                    .noneMatch(n -> n.equals("lifeboat-dump-" + id));
        }
    }

    @Test
    void leftoversOfABackupKilledMidWayAreRemovedByTheNextBackupOfTheTarget() throws Exception {
        // What a replica killed with kill -9 during a backup leaves: a dump without manifest, a temporary
        // upload file, and an S3 multipart upload never completed nor aborted.
        String dead = "shop/2026/01/02/" + java.util.UUID.randomUUID() + "/";
        Path deadDir = Files.createDirectories(LOCAL_ROOT.resolve(dead));
        Files.writeString(deadDir.resolve("dump.pgc.age"), "half a dump");
        Files.writeString(deadDir.resolve(".lifeboat-upload-0123456789abcdef"), "half an upload");
        Path notOurs = Files.createDirectories(LOCAL_ROOT.resolve("shop/notes"));
        Files.writeString(notOurs.resolve("README.txt"), "kept: not a backup directory");
        var admin = S3TestResource.server().admin();
        String upload = admin.createMultipartUpload(b -> b.bucket("backups").key("lifeboat/" + dead + "dump.pgc.age")).uploadId();
        admin.uploadPart(b -> b.bucket("backups").key("lifeboat/" + dead + "dump.pgc.age").uploadId(upload).partNumber(1),
                software.amazon.awssdk.core.sync.RequestBody.fromString("part"));
        assertThat(S3TestResource.server().pendingUploads("backups")).extracting(u -> u.uploadId()).contains(upload);

        String id = backupSucceeds("shop").getString("result.backupId");

        assertThat(filesUnder(deadDir)).as("the incomplete backup directory is emptied").isEmpty();
        assertThat(notOurs.resolve("README.txt")).exists();
        assertThat(S3TestResource.server().pendingUploads("backups")).extracting(u -> u.uploadId()).doesNotContain(upload);
        as(VIEWER).get("/api/v1/backups/" + id).then().statusCode(200);
        // Every backup directory left holds a manifest.
        for (Path f : filesUnder(LOCAL_ROOT.resolve("shop"))) {
            if (f.getFileName().toString().startsWith("dump.")) {
                assertThat(f.resolveSibling("manifest.json")).as("manifest beside " + f).exists();
            }
            assertThat(f.getFileName().toString()).doesNotStartWith(".lifeboat-upload-");
        }
    }

    @Test
    void aWrongPasswordFailsAtOnceWithAClearMessageAndStoresNothing() {
        long before = db.count("SELECT count(*) FROM backup WHERE target = 'wrongpw'");
        JsonPath job = awaitJob(startBackup("wrongpw").getString("id"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getInt("attempt")).as("not retried").isEqualTo(1);
        assertThat(job.getString("error.message")).contains("password authentication failed")
                .doesNotContain(TargetDbs.WRONG_PASSWORD);
        assertThat(db.count("SELECT count(*) FROM backup WHERE target = 'wrongpw'")).isEqualTo(before);
        assertThat(LOCAL_ROOT.resolve("wrongpw")).doesNotExist();
    }

    @Test
    void anUnknownDatabaseFailsAtOnceSayingSo() {
        JsonPath job = awaitJob(startBackup("nodb").getString("id"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getInt("attempt")).isEqualTo(1);
        assertThat(job.getString("error.message")).contains("lifeboat_no_such_db").contains("does not exist");
        assertThat(LOCAL_ROOT.resolve("nodb")).doesNotExist();
    }

    @Test
    void aStorageFailingMidUploadLeavesNoPartialUploadNoObjectAndTheRetrySucceeds() throws Exception {
        S3TestResource.FAILED_PARTS.set(0);
        S3TestResource.FAIL_PARTS.set(true);
        String id;
        try {
            id = startBackup("flaky").getString("id");
            // Wait for the first attempt to fail (the job goes back to queued with its error), then heal the storage.
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(10))
                    .until(() -> db.value("SELECT error FROM job WHERE id = ?::uuid", id) != null);
        } finally {
            S3TestResource.FAIL_PARTS.set(false);
        }
        assertThat(S3TestResource.FAILED_PARTS.get()).isPositive();
        String firstError = (String) db.value("SELECT error FROM job WHERE id = ?::uuid", id);
        assertThat(firstError).contains("flaky").contains("InternalError");

        JsonPath job = awaitJob(id);
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getInt("attempt")).isGreaterThanOrEqualTo(2);
        String backupId = job.getString("result.backupId");
        assertThat(job.getLong("result.sizeBytes")).isGreaterThan(10L * 1024 * 1024);

        assertThat(S3TestResource.server().pendingUploads("flaky")).as("no orphan multipart upload").isEmpty();
        // Only the good attempt's objects exist: one dump and its manifest.
        List<String> keys = s3Keys("flaky", "flaky/");
        assertThat(keys).hasSize(2).allMatch(k -> k.contains("/" + backupId + "/"));
        assertThat(db.count("SELECT count(*) FROM backup WHERE target = 'flaky' AND id = ?::uuid", backupId)).isEqualTo(1);
    }

    @Test
    void aStorageThatKeepsFailingFailsTheJobAndLeavesNothing() {
        long backupsBefore = db.count("SELECT count(*) FROM backup WHERE target = 'flaky'");
        List<String> keysBefore = s3Keys("flaky", "flaky/");
        S3TestResource.FAIL_PARTS.set(true);
        JsonPath job;
        try {
            job = awaitJob(startBackup("flaky").getString("id"));
        } finally {
            S3TestResource.FAIL_PARTS.set(false);
        }
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getInt("attempt")).isEqualTo(job.getInt("maxAttempts"));
        assertThat(job.getString("error.message")).contains("InternalError");
        assertThat(S3TestResource.server().pendingUploads("flaky")).isEmpty();
        assertThat(s3Keys("flaky", "flaky/")).isEqualTo(keysBefore);
        assertThat(db.count("SELECT count(*) FROM backup WHERE target = 'flaky'")).isEqualTo(backupsBefore);
    }

    @Test
    void cancellingDuringTheDumpKillsPgDumpLeavesNothingAndNoSecretIsOnAnyCommandLine() throws Exception {
        List<Path> filesBefore = filesUnder(LOCAL_ROOT.resolve("shop"));
        List<String> s3Before = s3Keys("backups", "lifeboat/shop/");
        long backupsBefore = db.count("SELECT count(*) FROM backup WHERE target = 'shop'");
        // Hold a lock that pg_dump must wait for, so that it is still running when we look and cancel.
        try (Connection locker = PgTestDb.connect(TargetDbs.SHOP); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
            String id = startBackup("shop").getString("id");
            await().atMost(Duration.ofSeconds(30)).until(() -> PgTestDb.count(TargetDbs.SHOP,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lifeboat-pg_dump' AND wait_event_type = 'Lock'") > 0);

            List<Long> dumps = new ArrayList<>();
            try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
                for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                    String cmdline;
                    String environ;
                    try {
                        cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                        environ = Files.isReadable(p.resolve("environ")) ? new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8) : "";
                    } catch (IOException gone) {
                        continue;
                    }
                    assertThat(cmdline).as("argv of " + p).doesNotContain(TargetDbs.PASSWORD);
                    if (cmdline.contains("pg_dump\0")) {
                        dumps.add(Long.parseLong(p.getFileName().toString()));
                        assertThat(environ).as("environment of pg_dump").doesNotContain(TargetDbs.PASSWORD).doesNotContain("PGPASSWORD=");
                    }
                }
            }
            assertThat(dumps).as("a pg_dump process is running").isNotEmpty();
            // The running job shows where it is, with the database size as the estimated total.
            await().atMost(Duration.ofSeconds(10)).until(() -> "dumping".equals(as(VIEWER).get("/api/v1/jobs/" + id).jsonPath().getString("progress.phase")));
            JsonPath running = as(VIEWER).get("/api/v1/jobs/" + id).jsonPath();
            assertThat(running.getString("status")).isEqualTo("running");
            assertThat(running.getLong("progress.bytesTotal")).isGreaterThan(1_000_000L);
            assertThat(running.getLong("progress.bytesDone")).isGreaterThanOrEqualTo(0L);

            as(OPERATOR).post("/api/v1/jobs/" + id + "/cancel").then().statusCode(202);
            JsonPath job = awaitJob(id);
            assertThat(job.getString("status")).isEqualTo("cancelled");
            for (long pid : dumps) {
                await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            }
            locker.rollback();
        }
        assertThat(filesUnder(LOCAL_ROOT.resolve("shop"))).isEqualTo(filesBefore);
        assertThat(s3Keys("backups", "lifeboat/shop/")).isEqualTo(s3Before);
        assertThat(S3TestResource.server().pendingUploads("backups")).isEmpty();
        assertThat(db.count("SELECT count(*) FROM backup WHERE target = 'shop'")).isEqualTo(backupsBefore);
    }

    @Test
    void secretsAppearInNoLogJobRowOrApiResponse() throws Exception {
        // Everything any logger of this JVM writes while the backups run, with parameters and stack traces.
        StringBuffer logged = new StringBuffer();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            final java.util.logging.Formatter f = new java.util.logging.SimpleFormatter();

            @Override
            public void publish(java.util.logging.LogRecord r) {
                logged.append(f.format(r)).append(String.valueOf(r.getMessage()));
                if (r.getParameters() != null) {
                    for (Object p : r.getParameters()) {
                        logged.append(' ').append(p);
                    }
                }
                if (r.getThrown() != null) {
                    java.io.StringWriter w = new java.io.StringWriter();
                    r.getThrown().printStackTrace(new java.io.PrintWriter(w));
                    logged.append(w);
                }
                logged.append('\n');
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        java.util.logging.Level rootLevel = root.getLevel();
        root.addHandler(capture);
        root.setLevel(java.util.logging.Level.FINE);
        // HTTP wire logs (the test client's and the S3 client's) would only slow this down by logging every byte uploaded.
        List<java.util.logging.Logger> wire = List.of(java.util.logging.Logger.getLogger("org.apache.http.wire"),
                java.util.logging.Logger.getLogger("org.apache.hc.client5.http.wire"), java.util.logging.Logger.getLogger("org.apache.http.headers"));
        wire.forEach(l -> l.setLevel(java.util.logging.Level.INFO));
        try {
            backupSucceeds("shop");
            awaitJob(startBackup("wrongpw").getString("id"));
            awaitJob(startBackup("nodb").getString("id"));
        } finally {
            root.removeHandler(capture);
            root.setLevel(rootLevel);
            wire.forEach(l -> l.setLevel(null));
        }
        assertThat(logged.toString()).contains("password authentication failed")
                .doesNotContain(TargetDbs.PASSWORD).doesNotContain(TargetDbs.WRONG_PASSWORD).doesNotContain("lifeboat-test-secret-key");
        for (String path : List.of("/api/v1/jobs?limit=500", "/api/v1/backups?limit=500", "/api/v1/targets",
                "/api/v1/targets/shop/check", "/api/v1/targets/wrongpw/check")) {
            String body = as(OPERATOR).get(path).then().statusCode(200).extract().asString();
            assertThat(body).as(path).doesNotContain(TargetDbs.PASSWORD).doesNotContain(TargetDbs.WRONG_PASSWORD)
                    .doesNotContain("lifeboat-test-secret-key");
        }
        String rows = (String) db.value("SELECT coalesce(string_agg(j::text, E'\\n'), '') FROM job j");
        assertThat(rows).doesNotContain(TargetDbs.PASSWORD).doesNotContain(TargetDbs.WRONG_PASSWORD);
        String catalog = (String) db.value("SELECT coalesce(string_agg(b::text, E'\\n'), '') FROM backup b");
        assertThat(catalog).doesNotContain(TargetDbs.PASSWORD);
    }

    @Test
    void verifyReadsEveryCopyAndMarksATamperedBackupDamaged() throws Exception {
        JsonPath job = backupSucceeds("shop");
        String id = job.getString("result.backupId");
        Response r = as(OPERATOR).post("/api/v1/backups/" + id + "/verify");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.header("Location")).endsWith("/api/v1/jobs/" + r.jsonPath().getString("id"));
        JsonPath verify = awaitJob(r.jsonPath().getString("id"));
        assertThat(verify.getString("status")).as(verify.prettify()).isEqualTo("succeeded");
        assertThat(verify.getList("result.copies.ok")).containsExactly(true, true);

        // Flip one byte of the filesystem copy.
        String key = as(VIEWER).get("/api/v1/backups/" + id).jsonPath().getString("locations[0].key");
        Path file = LOCAL_ROOT.resolve(key);
        byte[] data = Files.readAllBytes(file);
        data[data.length / 2] ^= 0x01;
        Files.write(file, data);

        JsonPath again = awaitJob(as(OPERATOR).post("/api/v1/backups/" + id + "/verify").jsonPath().getString("id"));
        assertThat(again.getString("status")).isEqualTo("failed");
        assertThat(again.getInt("attempt")).isEqualTo(1);
        assertThat(again.getString("error.message")).contains("damaged").contains("local").contains("SHA-256");
        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + id).jsonPath();
        assertThat(backup.getString("status")).isEqualTo("damaged");
        assertThat(backup.getString("locations[0].problem")).contains("SHA-256");
        assertThat(backup.getString("locations[1].problem")).isNull();
        assertThat(as(VIEWER).get("/api/v1/backups?target=shop&status=damaged").jsonPath().getList("items.id")).contains(id);
    }

    @Test
    void deletingABackupNeedsAnAdminAndRemovesEveryObjectThenTheEntry() throws Exception {
        JsonPath job = backupSucceeds("shop");
        String id = job.getString("result.backupId");
        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + id).jsonPath();
        String key = backup.getString("locations[0].key");
        String dir = key.substring(0, key.lastIndexOf('/') + 1);
        assertThat(filesUnder(LOCAL_ROOT.resolve(dir))).hasSize(3);

        as(OPERATOR).delete("/api/v1/backups/" + id).then().statusCode(403);
        as(ADMIN).delete("/api/v1/backups/" + id).then().statusCode(204);

        assertThat(filesUnder(LOCAL_ROOT.resolve(dir))).isEmpty();
        assertThat(s3Keys("backups", "lifeboat/" + dir)).isEmpty();
        as(VIEWER).get("/api/v1/backups/" + id).then().statusCode(404).contentType("application/problem+json");
        as(ADMIN).delete("/api/v1/backups/" + id).then().statusCode(404);
        as(VIEWER).get("/api/v1/backups/not-a-uuid").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void backupsAreListedNewestFirstPerTargetWithACursor() {
        String first = backupSucceeds("shop").getString("result.backupId");
        String second = backupSucceeds("shop").getString("result.backupId");
        JsonPath page1 = as(VIEWER).get("/api/v1/backups?target=shop&limit=1").then().statusCode(200).extract().jsonPath();
        assertThat(page1.getList("items.id")).containsExactly(second);
        String cursor = page1.getString("nextCursor");
        assertThat(cursor).isNotBlank();
        JsonPath page2 = as(VIEWER).get("/api/v1/backups?target=shop&limit=1&cursor=" + cursor).then().statusCode(200).extract().jsonPath();
        assertThat(page2.getList("items.id")).containsExactly(first);
        assertThat(as(VIEWER).get("/api/v1/backups?target=wrongpw").jsonPath().getList("items")).isEmpty();
        as(VIEWER).get("/api/v1/backups?cursor=garbage").then().statusCode(400).contentType("application/problem+json");
        as(VIEWER).get("/api/v1/backups?limit=0").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void theTargetCheckRunsThePreflightAndSaysWhatIsWrong() {
        as(VIEWER).get("/api/v1/targets/shop/check").then().statusCode(403).contentType("application/problem+json");
        JsonPath ok = as(OPERATOR).get("/api/v1/targets/shop/check").then().statusCode(200).extract().jsonPath();
        assertThat(ok.getBoolean("ok")).as(ok.prettify()).isTrue();
        assertThat(ok.getList("checks.name")).containsExactly("credentials", "connection", "pg_dump", "encryption", "storage:local", "storage:s3");
        assertThat(ok.getString("checks.find { it.name == 'pg_dump' }.detail")).contains("pg_dump 15.");

        JsonPath bad = as(OPERATOR).get("/api/v1/targets/wrongpw/check").then().statusCode(200).extract().jsonPath();
        assertThat(bad.getBoolean("ok")).isFalse();
        assertThat(bad.getString("checks.find { it.name == 'connection' }.detail")).contains("password authentication failed");
        as(OPERATOR).get("/api/v1/targets/nope/check").then().statusCode(404).contentType("application/problem+json");
    }
}
