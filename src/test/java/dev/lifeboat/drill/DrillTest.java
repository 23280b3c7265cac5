package dev.lifeboat.drill;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.restore.ScratchSweeper;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.file.StandardCopyOption;
import java.util.Map;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupId;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Restore drills through the API against real backups of the test target {@code shop}: a good backup
 * passes every check; a flipped byte, a truncated object, a wrong key and a manifest whose counts
 * disagree each fail the drill naming the check; no scratch database is ever left behind.
 */
@QuarkusTest
class DrillTest {
    static final Path LOCAL_ROOT = Path.of("target/test-backups");
    static final Path IDENTITY = Path.of("target/test-age/identity.txt");

    @AfterEach
    void noScratchDatabaseIsLeft() throws Exception {
        assertThat(PgTestDb.ourScratchDatabases("lifeboat_drill_")).as("lifeboat_drill_* databases left by these drills").isEmpty();
    }

    @Test
    void aDrillOfABackupByIdAloneFindsItsTarget() {
        String id = backup();
        Response r = as(OPERATOR).contentType("application/json").body(Map.of("backupId", id)).post("/api/v1/drills");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        JsonPath job = awaitJob(r.jsonPath().getString("id"));
        assertThat(job.getString("target")).isEqualTo("shop");
        assertThat(job.getBoolean("result.passed")).as(job.prettify()).isTrue();
        // A target given too must be the backup's own.
        as(OPERATOR).contentType("application/json").body(Map.of("backupId", id, "target", "masto")).post("/api/v1/drills")
                .then().statusCode(422).contentType("application/problem+json");
    }

    static String backup() {
        return backupId("shop");
    }

    static JsonPath drill(String backupId) {
        Response r = as(OPERATOR).contentType("application/json").body(Map.of("target", "shop", "backupId", backupId)).post("/api/v1/drills");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        JsonPath job = awaitJob(r.jsonPath().getString("id"));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        return job;
    }

    static Path localCopy(String backupId) {
        return LOCAL_ROOT.resolve(as(VIEWER).get("/api/v1/backups/" + backupId).jsonPath().getString("locations[0].key"));
    }

    /** The backup once its drill history shows a drill. */
    static JsonPath drillRecorded(String backupId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> as(VIEWER).get("/api/v1/backups/" + backupId).jsonPath(),
                b -> b.getInt("drillCount") > 0);
    }

    @Test
    void aGoodBackupPassesEveryCheck() {
        String id = backup();
        // Without backupId the newest backup of the target is drilled.
        Response r = as(OPERATOR).contentType("application/json").body(Map.of("target", "shop")).post("/api/v1/drills");
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(r.jsonPath().getString("args.backupId")).isEqualTo(id);
        JsonPath job = awaitJob(r.jsonPath().getString("id"));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getBoolean("result.passed")).as(job.prettify()).isTrue();
        assertThat(job.getString("result.reason")).isNull();
        assertThat(job.getDouble("result.restoreSeconds")).isPositive();
        // Where the drill's time went: the restore is restoreSeconds; the rest is Lifeboat's own work around it.
        assertThat(job.getLong("result.millis.restore")).isEqualTo(Math.round(job.getDouble("result.restoreSeconds") * 1000));
        assertThat(job.getLong("result.millis.prepare")).isPositive();
        assertThat(job.getLong("result.millis.checks")).isPositive();
        assertThat(job.getLong("result.millis.drop")).isNotNegative();
        assertThat(job.getList("result.checks.name")).containsExactly("stored copy", "pg_restore", "row counts", "schema objects", "sequences",
                "restore time");
        assertThat(job.getList("result.checks.passed")).containsOnly(true);
        assertThat(job.getString("result.checks.find { it.name == 'row counts' }.detail")).contains("3 tables", "5500 rows");

        // The backup's catalog entry shows its drill history, and the metrics say the target's drill passed
        // (kept by a follow-up of the finished drill job, a moment after it).
        JsonPath backup = drillRecorded(id);
        assertThat(backup.getBoolean("lastDrill.passed")).isTrue();
        assertThat(backup.getDouble("lastDrill.restoreSeconds")).isPositive();
        assertThat(backup.getInt("drillCount")).isEqualTo(1);
        String metrics = io.restassured.RestAssured.get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("lifeboat_drill_passed{target=\"shop\"} 1.0")
                .containsPattern("lifeboat_drill_last_success_timestamp_seconds\\{target=\"shop\"\\} 1\\.7")
                .contains("lifeboat_drill_restore_seconds{target=\"shop\"}");
    }

    /** The copy of the backup in the S3 storage (bucket backups, prefix lifeboat), rewritten by {@code change}. */
    static void changeS3Copy(String backupId, java.util.function.UnaryOperator<byte[]> change) {
        String key = "lifeboat/" + as(VIEWER).get("/api/v1/backups/" + backupId).jsonPath().getString("locations.find { it.storage == 's3' }.key");
        var s3 = dev.lifeboat.storage.S3TestResource.server().admin();
        byte[] data = s3.getObjectAsBytes(b -> b.bucket("backups").key(key)).asByteArray();
        s3.putObject(b -> b.bucket("backups").key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(change.apply(data)));
    }

    static byte[] flipped(byte[] data) {
        byte[] out = data.clone();
        out[out.length / 3] ^= 0x40;
        return out;
    }

    @Test
    void aFlippedByteInOneCopyIsNamedAndTheDrillRestoresTheOther() throws Exception {
        String id = backup();
        Path file = localCopy(id);
        Files.write(file, flipped(Files.readAllBytes(file)));
        JsonPath job = drill(id);
        assertThat(job.getBoolean("result.passed")).as(job.prettify()).isTrue();
        assertThat(job.getString("result.checks.find { it.name == 'stored copy' }.detail")).startsWith("storage s3: ")
                .contains("the copy in local is damaged").contains("SHA-256");
    }

    @Test
    void aFlippedByteFailsTheStoredCopyCheck() throws Exception {
        String id = backup();
        Path file = localCopy(id);
        byte[] data = Files.readAllBytes(file);
        data[data.length / 3] ^= 0x40;
        Files.write(file, data);
        changeS3Copy(id, DrillTest::flipped); // every copy damaged
        JsonPath job = drill(id);
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("stored copy").contains("SHA-256");
        JsonPath backup = drillRecorded(id);
        assertThat(backup.getBoolean("lastDrill.passed")).isFalse();
        assertThat((Object) backup.get("lastDrill.restoreSeconds")).isNull();
    }

    @Test
    void aTruncatedObjectFailsTheStoredCopyCheck() throws Exception {
        String id = backup();
        Path file = localCopy(id);
        byte[] data = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(data, data.length - 100));
        changeS3Copy(id, d -> java.util.Arrays.copyOf(d, d.length - 100)); // every copy damaged
        JsonPath job = drill(id);
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("stored copy").contains("bytes, expected " + data.length);
    }

    @Test
    void aWrongKeyFailsTheDrillSayingDecryptionFailed() throws Exception {
        String id = backup();
        Path saved = Files.createTempFile("identity", ".txt");
        Files.copy(IDENTITY, saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            Process p = new ProcessBuilder("age-keygen", "-o", IDENTITY.toString() + ".other").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            Files.move(Path.of(IDENTITY + ".other"), IDENTITY, StandardCopyOption.REPLACE_EXISTING);
            JsonPath job = drill(id);
            assertThat(job.getBoolean("result.passed")).isFalse();
            assertThat(job.getString("result.reason")).contains("pg_restore").contains("decryption failed");
        } finally {
            Files.copy(saved, IDENTITY, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(saved);
        }
    }

    @Test
    void theNextDrillDropsACrashedDrillsScratchDatabaseButNotAnotherInstallations() throws Exception {
        String id = backup();
        JsonPath first = drill(id);
        String leftover = "lifeboat_drill_" + first.getString("id").replace("-", "").substring(0, 16); // as if its worker had died
        String foreign = "lifeboat_drill_0123456789abcdef"; // a job this installation never had
        PgTestDb.execIn("lifeboat_test", "CREATE DATABASE " + leftover + " OWNER lifeboat_shop", "CREATE DATABASE " + foreign + " OWNER lifeboat_shop");
        try {
            drill(id);
            assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + leftover + "'")).isZero();
            assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + foreign + "'")).isEqualTo(1);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + leftover, "DROP DATABASE IF EXISTS " + foreign);
        }
    }

    @jakarta.inject.Inject
    ScratchSweeper sweeper;

    @Test
    void theMaintenancePassDropsLeftoversWithoutWaitingForAnotherDrill() throws Exception {
        String id = backup();
        JsonPath first = drill(id);
        String leftover = "lifeboat_drill_" + first.getString("id").replace("-", "").substring(0, 16);
        PgTestDb.execIn("lifeboat_test", "CREATE DATABASE " + leftover + " OWNER lifeboat_shop");
        try {
            assertThat(sweeper.runOnce()).isGreaterThanOrEqualTo(1);
            assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + leftover + "'")).isZero();
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + leftover);
        }
    }

    @Test
    void aMissingManifestFailsTheDrillNamingIt() throws Exception {
        String id = backup();
        Files.delete(localCopy(id).resolveSibling("manifest.json"));
        JsonPath job = drill(id);
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("manifest").contains("is missing");
    }

    @Test
    void countsThatDisagreeWithTheManifestFailTheRowCountCheck() throws Exception {
        String id = backup();
        Path manifest = localCopy(id).resolveSibling("manifest.json");
        String text = Files.readString(manifest, StandardCharsets.UTF_8);
        assertThat(text).contains("\"public.accounts\" : 1500");
        Files.writeString(manifest, text.replace("\"public.accounts\" : 1500", "\"public.accounts\" : 1501"));
        JsonPath job = drill(id);
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("row counts").contains("public.accounts has 1500 rows, the backup had 1501");
    }

    /** A Mastodon-shaped database: the tables the mastodon profile looks at, with statuses {@code statusAge} old. */
    static void recreateMasto(String statusAge) throws Exception {
        TargetDbs.ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS lifeboat_masto WITH (FORCE)", "CREATE DATABASE lifeboat_masto OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn("lifeboat_masto", "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE schema_migrations (version varchar PRIMARY KEY)",
                "INSERT INTO schema_migrations VALUES ('20240912100000'), ('20250425134308')",
                "CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL, domain text)",
                "INSERT INTO accounts (username) SELECT 'u' || g FROM generate_series(1, 50) g",
                "INSERT INTO accounts (id, username) VALUES (-99, 'instance.actor')", // Mastodon's instance actor: local, no user
                "INSERT INTO accounts (username, domain) VALUES ('remote', 'example.social')",
                "CREATE FUNCTION timestamp_id(table_name text) RETURNS bigint LANGUAGE sql AS"
                        + " 'SELECT (extract(epoch FROM now()) * 1000)::bigint << 16'",
                "CREATE TABLE users (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts, email text)",
                "INSERT INTO users (account_id, email) SELECT id, username || '@example.org' FROM accounts WHERE domain IS NULL AND id > 0",
                "CREATE TABLE statuses (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts, text text, created_at timestamptz NOT NULL)",
                "INSERT INTO statuses (account_id, text, created_at) SELECT 1 + g % 50, 'toot ' || g, now() - interval '" + statusAge + "' - g * interval '1 minute' FROM generate_series(1, 500) g");
    }

    static JsonPath drillOf(String target) {
        Response b = as(OPERATOR).contentType("application/json").body(Map.of("target", target)).post("/api/v1/backups");
        JsonPath backup = awaitJob(b.jsonPath().getString("id"));
        assertThat(backup.getString("status")).as(backup.prettify()).isEqualTo("succeeded");
        Response r = as(OPERATOR).contentType("application/json").body(Map.of("target", target)).post("/api/v1/drills");
        JsonPath job = awaitJob(r.jsonPath().getString("id"));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        return job;
    }

    @Test
    void aMastodonDatabasePassesTheMastodonProfile() throws Exception {
        recreateMasto("1 hour");
        JsonPath job = drillOf("masto");
        assertThat(job.getBoolean("result.passed")).as(job.prettify()).isTrue();
        assertThat(job.getList("result.checks.name")).contains("mastodon: core tables", "mastodon: newest status", "mastodon: schema version");
        assertThat(job.getString("result.checks.find { it.name == 'mastodon: schema version' }.detail")).contains("20250425134308");
    }

    @Test
    void aStaleMastodonDatabaseFailsTheFreshnessCheck() throws Exception {
        recreateMasto("30 days");
        JsonPath job = drillOf("masto");
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("mastodon: newest status").contains("freshness-window");
    }

    @Test
    void aDirectoryFormatBackupIsUnpackedAndRestoredInParallel() {
        JsonPath job = drillOf("shopdir");
        assertThat(job.getBoolean("result.passed")).as(job.prettify()).isTrue();
        assertThat(job.getString("result.checks.find { it.name == 'row counts' }.detail")).contains("5500 rows");
    }

    @Test
    void drillsNeedAnOperatorAndAnExistingBackup() {
        as(VIEWER).contentType("application/json").body(Map.of("target", "shop")).post("/api/v1/drills").then().statusCode(403);
        as(OPERATOR).contentType("application/json").body(Map.of("target", "shop", "backupId", "00000000-0000-0000-0000-000000000000"))
                .post("/api/v1/drills").then().statusCode(404).contentType("application/problem+json");
        as(OPERATOR).contentType("application/json").body(Map.of("target", "shop", "backupId", "nope"))
                .post("/api/v1/drills").then().statusCode(400).contentType("application/problem+json");
        as(OPERATOR).contentType("application/json").body(Map.of("target", "wrongpw"))
                .post("/api/v1/drills").then().statusCode(422).contentType("application/problem+json");
    }
}
