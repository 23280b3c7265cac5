package dev.lifeboat.restore;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.Fixtures;
import dev.lifeboat.support.HookServer;
import dev.lifeboat.support.Jobs;
import dev.lifeboat.support.PgCompare;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupId;
import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;

/**
 * Restores through the API, with real backups, real pg_restore and real databases: new-database
 * restores are identical to their source, replace swaps and keeps the old database, every way a
 * replace can fail leaves the live database untouched and serving, and no scratch database remains.
 */
@QuarkusTest
class RestoreTest {
    static final String PROBLEM = "application/problem+json";
    static final String STORE = "lifeboat_store";
    static final String SLOW = "lifeboat_slow";
    static final Path LOCAL_ROOT = Path.of("target/test-backups");
    static final Path IDENTITY = Path.of("target/test-age/identity.txt");
    final List<String> dropAfter = new ArrayList<>();

    @BeforeAll
    static void databases() throws Exception {
        TargetDbs.ensureRole();
        recreateStore();
    }

    /** The {@code lifeboat_restore_*} databases of this run's restores that are still there. */
    static List<String> ourScratchDatabases() throws SQLException {
        return PgTestDb.ourScratchDatabases("lifeboat_restore_");
    }

    /** {@code lifeboat_store}: owned by the target's role, a schema of its own, 1,000 accounts and 3,000 statuses. */
    static void recreateStore() throws SQLException {
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + STORE + " WITH (FORCE)",
                "CREATE DATABASE " + STORE + " OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn(STORE,
                "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL UNIQUE)",
                "INSERT INTO accounts (username) SELECT 'user' || g FROM generate_series(1, 1000) g",
                "CREATE TABLE statuses (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts, text text)",
                "CREATE INDEX statuses_by_account ON statuses (account_id)",
                "INSERT INTO statuses (account_id, text) SELECT 1 + g % 1000, 'toot ' || g FROM generate_series(1, 3000) g",
                "CREATE SCHEMA audit",
                "CREATE TABLE audit.events (id int PRIMARY KEY, what text)",
                "INSERT INTO audit.events SELECT g, 'event ' || g FROM generate_series(1, 50) g");
    }

    @BeforeEach
    void resetHooksAndDropEarlierRestores() throws SQLException {
        HookServer.reset();
        for (String db : databasesLike("lbt\\_%")) {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        for (String db : databasesLike(STORE + "\\_before\\_%")) {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @AfterEach
    void noScratchDatabaseIsLeft() throws Exception {
        for (String db : dropAfter) {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
        assertThat(ourScratchDatabases()).as("lifeboat_restore_* databases left").isEmpty();
        assertThat(count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + STORE + "' AND datallowconn"))
                .as(STORE + " exists and accepts connections").isEqualTo(1);
    }

    static JsonPath restore(Map<String, Object> body) {
        Response r = as(ADMIN).body(body).post("/api/v1/restores");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        assertThat(r.header("Location")).endsWith("/api/v1/jobs/" + r.jsonPath().getString("id"));
        return awaitJob(r.jsonPath().getString("id"));
    }

    static long count(String db, String sql) throws SQLException {
        return PgTestDb.count(db, sql);
    }

    static Connection connectAsTargetRole(String db) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", TargetDbs.ROLE);
        p.setProperty("password", TargetDbs.PASSWORD);
        return DriverManager.getConnection("jdbc:postgresql://" + PgTestDb.HOST + ":" + PgTestDb.PORT + "/" + db, p);
    }

    static List<String> databasesLike(String pattern) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = PgTestDb.connect("lifeboat_test"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE '" + pattern + "' ORDER BY 1")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }

    // ---- new database ----

    @Test
    void aNewDatabaseRestoreOfEveryKindOfObjectIsIdenticalToTheSource() throws Exception {
        String source = "lifeboat_objects";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + source + " WITH (FORCE)", "CREATE DATABASE " + source);
        Fixtures.loadEveryObjectKind(source);
        String id = backupId("objects"); // encrypted, on S3 (S3Proxy over HTTP)
        String restored = "lbt_objects_copy";
        dropAfter.add(restored);

        JsonPath job = restore(Map.of("backupId", id, "database", restored));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getString("result.backupId")).isEqualTo(id);
        assertThat(job.getString("result.database")).isEqualTo(restored);
        assertThat(job.getDouble("result.restoreSeconds")).isPositive();
        assertThat(PgCompare.compare(source, restored)).as("differences between the source and the restore").isEmpty();
    }

    @Test
    void parallelJobsSpoolTheArchiveAndRestoreTheSame() throws Exception {
        String id = backupId("store");
        String restored = "lbt_store_parallel";
        dropAfter.add(restored);
        JsonPath job = restore(Map.of("backupId", id, "database", restored, "jobs", 2));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getInt("result.jobs")).isEqualTo(2);
        assertThat(PgCompare.compare(STORE, restored)).isEmpty();
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(files.map(p -> p.getFileName().toString())).as("spool removed")
                    .noneMatch(n -> n.equals("lifeboat-restore-" + job.getString("id")));
        }
    }

    @Test
    void theSpoolOfARestoreWhoseReplicaDiedIsRemovedByTheNextOne() throws Exception {
        String id = backupId("store");
        dropAfter.add("lbt_spool_1");
        dropAfter.add("lbt_spool_2");
        JsonPath first = restore(Map.of("backupId", id, "database", "lbt_spool_1"));
        // As if its replica had been killed while pg_restore -j read the spooled archive.
        Path spool = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-restore-" + first.getString("id")));
        Files.writeString(spool.resolve("dump.pgc"), "half an archive");
        Path foreign = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "lifeboat-restore-" + java.util.UUID.randomUUID()));
        try {
            assertThat(restore(Map.of("backupId", id, "database", "lbt_spool_2")).getString("status")).isEqualTo("succeeded");
            assertThat(spool).doesNotExist();
            assertThat(foreign).as("a spool of a job this installation does not know is left alone").exists();
        } finally {
            Files.deleteIfExists(foreign);
        }
    }

    @Test
    void theLatestBackupOfATargetCanBeRestoredAndRestoredObjectsBelongToTheTargetRole() throws Exception {
        String id = backupId("store");
        String restored = "lbt_store_latest";
        dropAfter.add(restored);
        JsonPath job = restore(Map.of("target", "store", "latest", true, "database", restored));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getString("result.backupId")).isEqualTo(id);
        assertThat(count(restored, "SELECT count(*) FROM accounts")).isEqualTo(1000);
        assertThat(count(restored, "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'audit') AND tableowner <> '"
                + TargetDbs.ROLE + "'")).as("tables not owned by the target's role").isZero();
    }

    @Test
    void aRestoreIntoAnExistingDatabaseIsRefusedBeforeAnythingIsQueued() throws Exception {
        String id = backupId("store");
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) VALUES ('written after the backup')");
        try {
            String newestBefore = as(ADMIN).get("/api/v1/jobs?kind=restore&limit=1").jsonPath().getString("items[0].id");
            Response r = as(ADMIN).body(Map.of("backupId", id, "database", STORE)).post("/api/v1/restores");
            assertThat(r.statusCode()).as(r.asString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getString("detail")).contains("database " + STORE + " already exists").contains("never overwrites")
                    .contains("mode=replace");
            assertThat(as(ADMIN).get("/api/v1/jobs?kind=restore&limit=1").jsonPath().getString("items[0].id")).as("no job queued")
                    .isEqualTo(newestBefore);
            assertThat(count(STORE, "SELECT count(*) FROM accounts")).isEqualTo(1001);
        } finally {
            PgTestDb.execIn(STORE, "DELETE FROM accounts WHERE username = 'written after the backup'");
        }
    }

    @Test
    void ofTwoRestoresRacingIntoTheSameNewDatabaseOneWinsAndTheOtherFailsWithoutTouchingIt() throws Exception {
        String id = backupId("store");
        String restored = "lbt_store_race";
        dropAfter.add(restored);
        Map<String, Object> body = Map.of("backupId", id, "database", restored);
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Response r = as(ADMIN).body(body).post("/api/v1/restores");
            assertThat(r.statusCode()).as("accepted while the database does not exist yet: " + r.asString()).isEqualTo(202);
            jobs.add(r.jsonPath().getString("id"));
        }
        List<JsonPath> done = jobs.stream().map(Jobs::awaitJob).toList();
        assertThat(done).extracting(j -> j.getString("status")).containsExactlyInAnyOrder("succeeded", "failed");
        JsonPath failed = done.stream().filter(j -> j.getString("status").equals("failed")).findFirst().orElseThrow();
        assertThat(failed.getString("error")).contains("already exists");
        assertThat(count(restored, "SELECT count(*) FROM accounts")).isEqualTo(1000);
    }

    @Test
    void aReplayedRestoreAnswersWithItsJobEvenThoughItsDatabaseNowExists() throws Exception {
        String id = backupId("store");
        String restored = "lbt_store_replayed";
        dropAfter.add(restored);
        String key = "restore-" + UUID.randomUUID();
        Map<String, Object> body = Map.of("backupId", id, "database", restored);
        Response first = as(ADMIN).header("Idempotency-Key", key).body(body).post("/api/v1/restores");
        assertThat(first.statusCode()).as(first.asString()).isEqualTo(202);
        assertThat(awaitJob(first.jsonPath().getString("id")).getString("status")).isEqualTo("succeeded");

        Response replay = as(ADMIN).header("Idempotency-Key", key).body(body).post("/api/v1/restores");
        assertThat(replay.statusCode()).as(replay.asString()).isEqualTo(202);
        assertThat(replay.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(replay.jsonPath().getString("id")).isEqualTo(first.jsonPath().getString("id"));
        // A new request for the same database is a new restore, and that one is refused.
        as(ADMIN).header("Idempotency-Key", key + "-2").body(body).post("/api/v1/restores").then().statusCode(422);
    }

    @Test
    void selectedTablesAndSchemasRestoreAloneIntoANewDatabase() throws Exception {
        String id = backupId("store");
        String restored = "lbt_store_selected";
        dropAfter.add(restored);
        JsonPath job = restore(Map.of("backupId", id, "database", restored, "tables", List.of("accounts"), "schemas", List.of("audit")));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getList("result.tables")).containsExactly("accounts");
        assertThat(count(restored, "SELECT count(*) FROM accounts")).isEqualTo(1000);
        assertThat(count(restored, "SELECT count(*) FROM audit.events")).isEqualTo(50);
        assertThat(count(restored, "SELECT count(*) FROM pg_tables WHERE tablename = 'statuses'")).as("statuses not selected").isZero();
        assertThat(count(restored, "SELECT count(*) FROM pg_constraint WHERE conname = 'accounts_pkey'")).as("primary key").isEqualTo(1);
        assertThatThrownBy(() -> PgTestDb.execIn(restored, "INSERT INTO audit.events VALUES (1, 'duplicate')"))
                .as("audit.events keeps its primary key").hasMessageContaining("duplicate key");
    }

    @Test
    void tablesTheBackupDoesNotHoldAreRefusedBeforeAnythingIsQueued() {
        String id = backupId("store");
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_x", "tables", List.of("public.nope"))).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("table public.nope"));
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_x", "tables", List.of("x; DROP TABLE accounts"))).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM);
    }

    @Test
    void theStoredGlobalsCanBeAppliedFirst() throws Exception {
        TargetDbs.recreateShop();
        String id = backupId("shop"); // shop stores pg_dumpall --globals-only beside the dump
        String restored = "lbt_shop_globals";
        dropAfter.add(restored);
        JsonPath job = restore(Map.of("backupId", id, "database", restored, "globals", true));
        assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
        assertThat(job.getBoolean("result.globals.applied")).isTrue();
        // lifeboat_shop may not create roles: those statements fail and are reported, the restore goes on.
        assertThat(job.getInt("result.globals.errors")).isPositive();
        assertThat(job.getList("result.warnings", String.class)).anyMatch(w -> w.startsWith("globals:"));
        assertThat(PgCompare.compareContent(TargetDbs.SHOP, restored)).isEmpty();
    }

    // ---- replace ----

    @Test
    void replaceSwapsInTheBackupAndKeepsTheOldDatabaseWithItsNewerData() throws Exception {
        recreateStore();
        String id = backupId("store");
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) SELECT 'late' || g FROM generate_series(1, 7) g");
        Map<String, Long> atPreHook = new ConcurrentHashMap<>();
        HookServer.onPre = call -> {
            try {
                atPreHook.put("live accounts", count(STORE, "SELECT count(*) FROM accounts"));
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        try (Connection app = connectAsTargetRole(STORE)) { // the application, connected while the swap happens
            JsonPath job = restore(Map.of("backupId", id, "mode", "replace", "confirm", "store"));
            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
            String kept = job.getString("result.keptDatabase");
            dropAfter.add(kept);
            assertThat(kept).isEqualTo(STORE + "_before_" + job.getString("id").substring(0, 8));
            assertThat(job.getString("result.database")).isEqualTo(STORE);
            assertThat(job.getList("result.checks.passed")).containsOnly(true);

            assertThat(count(STORE, "SELECT count(*) FROM accounts")).as("the live name holds the backup").isEqualTo(1000);
            assertThat(count(kept, "SELECT count(*) FROM accounts")).as("the old database, kept").isEqualTo(1007);
            assertThat(count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = '" + kept + "' AND datallowconn")).isEqualTo(1);
            assertThatThrownBy(() -> app.createStatement().execute("SELECT 1")).as("the application's session was ended by the fence")
                    .isInstanceOf(SQLException.class);
        }
        assertThat(atPreHook).containsEntry("live accounts", 1007L);
        assertThat(HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify")).toList()).extracting(HookServer.Call::path).containsExactly("/pre", "/post");
        List<HookServer.Call> hooks = HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify")).toList();
        assertThat(hooks.get(0).body()).contains("\"event\":\"restore.pre\"").contains("\"target\":\"store\"").contains(id);
        assertThat(hooks.get(1).body()).contains("\"event\":\"restore.post\"").contains("keptDatabase");
    }

    @Test
    void aFailingPreRestoreHookAbortsWithTheDatabaseUntouched() throws Exception {
        recreateStore();
        String id = backupId("store");
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) VALUES ('newer')");
        HookServer.PRE_STATUS.set(503);
        JsonPath job = restore(Map.of("backupId", id, "mode", "replace", "confirm", "store"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getString("error")).contains("pre-restore hook").contains("HTTP 503").contains("mastodon-web would not stop")
                .contains("was not touched");
        assertThat(count(STORE, "SELECT count(*) FROM accounts")).isEqualTo(1001);
        assertThat(databasesLike(STORE + "\\_before\\_%")).isEmpty();
        assertThat(HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify")).toList()).extracting(HookServer.Call::path).containsExactly("/pre");
    }

    @Test
    void aCorruptObjectFailsTheReplaceBeforeAnythingTouchesTheDatabase() throws Exception {
        recreateStore();
        String id = backupId("store");
        Path file = LOCAL_ROOT.resolve(as(VIEWER).get("/api/v1/backups/" + id).jsonPath().getString("locations[0].key"));
        byte[] data = Files.readAllBytes(file);
        data[data.length / 2] ^= 0x01;
        Files.write(file, data);
        JsonPath job = restore(Map.of("backupId", id, "mode", "replace", "confirm", "store"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getString("error")).contains("is damaged").contains("SHA-256").contains("was not touched");
        assertThat(count(STORE, "SELECT count(*) FROM accounts")).isEqualTo(1000);
        assertThat(HookServer.CALLS.stream().filter(c -> !c.path().equals("/notify"))).as("no hook called").isEmpty();
        assertThat(databasesLike(STORE + "\\_before\\_%")).isEmpty();
    }

    @Test
    void aMissingObjectOrManifestFailsTheRestoreSayingSo() throws Exception {
        String id = backupId("store");
        Path dump = LOCAL_ROOT.resolve(as(VIEWER).get("/api/v1/backups/" + id).jsonPath().getString("locations[0].key"));
        Path manifest = dump.resolveSibling("manifest.json");
        Path aside = Files.move(manifest, manifest.resolveSibling("manifest.json.aside"));
        JsonPath job = restore(Map.of("backupId", id, "database", "lbt_no_manifest"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getString("error")).contains("manifest").contains("is missing").contains("Nothing was restored");
        Files.move(aside, manifest);
        Files.delete(dump);
        job = restore(Map.of("backupId", id, "database", "lbt_no_dump"));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getString("error")).contains("is damaged").contains("is missing");
        assertThat(databasesLike("lbt\\_no\\_%")).isEmpty();
    }

    @Test
    void aPgRestoreErrorFailsTheReplaceWithTheDatabaseUntouched() throws Exception {
        recreateStore();
        String id = backupId("storebad"); // restores with --role=lifeboat_no_such_role: pg_restore fails at once
        PgTestDb.execIn(STORE, "INSERT INTO accounts (username) VALUES ('newer')");
        try (Connection app = connectAsTargetRole(STORE)) {
            JsonPath job = restore(Map.of("backupId", id, "mode", "replace", "confirm", "storebad"));
            assertThat(job.getString("status")).isEqualTo("failed");
            assertThat(job.getString("error")).contains("pg_restore").contains("lifeboat_no_such_role").contains("was not touched");
            assertThat(app.createStatement().executeQuery("SELECT 1").next()).as("the application's session lives on").isTrue();
        }
        assertThat(count(STORE, "SELECT count(*) FROM accounts")).isEqualTo(1001);
        assertThat(databasesLike(STORE + "\\_before\\_%")).isEmpty();
    }

    @Test
    void aWrongKeyFailsBeforeAnythingTouchesPostgres() throws Exception {
        String id = backupId("store");
        Path saved = Files.createTempFile("identity", ".txt");
        Files.copy(IDENTITY, saved, StandardCopyOption.REPLACE_EXISTING);
        try {
            Process p = new ProcessBuilder("age-keygen", "-o", IDENTITY + ".other").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            assertThat(p.waitFor()).isZero();
            Files.move(Path.of(IDENTITY + ".other"), IDENTITY, StandardCopyOption.REPLACE_EXISTING);
            JsonPath job = restore(Map.of("backupId", id, "database", "lbt_wrong_key"));
            assertThat(job.getString("status")).isEqualTo("failed");
            assertThat(job.getString("error")).contains("cannot decrypt").contains("no identity").contains("Nothing was restored");
            assertThat(databasesLike("lbt\\_wrong\\_key")).isEmpty();
        } finally {
            Files.copy(saved, IDENTITY, StandardCopyOption.REPLACE_EXISTING);
            Files.deleteIfExists(saved);
        }
    }

    @Test
    void cancellingARestoreLeavesNoHalfMadeDatabase() throws Exception {
        // Restoring each row runs a CHECK that sleeps 10 ms: 1,500 rows take 15 s, long enough to cancel in the middle.
        // (The function turns slow only after the rows are in, so setting up is quick.)
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + SLOW + " WITH (FORCE)", "CREATE DATABASE " + SLOW + " OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn(SLOW, "SET ROLE " + TargetDbs.ROLE,
                "CREATE FUNCTION slow_ok(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true'",
                "CREATE TABLE t (id int PRIMARY KEY CHECK (public.slow_ok(id)))",
                "INSERT INTO t SELECT g FROM generate_series(1, 1500) g",
                "CREATE OR REPLACE FUNCTION slow_ok(int) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT pg_sleep(0.01) IS NOT NULL'");
        String id = backupId("slow");
        Response r = as(ADMIN).body(Map.of("backupId", id, "database", "lbt_slow_copy")).post("/api/v1/restores");
        String jobId = r.jsonPath().getString("id");
        dropAfter.add("lbt_slow_copy");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> count("lifeboat_test", "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'lifeboat\\_restore\\_%' AND query LIKE 'COPY%'") > 0);
        assertThat(ourScratchDatabases()).as("restoring into a scratch database").hasSize(1);
        as(OPERATOR).post("/api/v1/jobs/" + jobId + "/cancel").then().statusCode(202);
        long cancelled = System.nanoTime();
        JsonPath job = awaitJob(jobId);
        assertThat(job.getString("status")).isEqualTo("cancelled");
        assertThat((System.nanoTime() - cancelled) / 1e9).as("seconds from cancel to the job's end: pg_restore was stopped").isLessThan(10);
        assertThat(databasesLike("lbt\\_slow\\_copy")).isEmpty();
        // @AfterEach: no lifeboat_restore_* database is left either.
    }

    // ---- the request ----

    @Test
    void onlyAdminsRestoreAndReplaceNeedsTheTargetNameAsConfirmation() {
        String id = backupId("store");
        as(OPERATOR).body(Map.of("backupId", id, "database", "lbt_x")).post("/api/v1/restores").then().statusCode(403).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id, "mode", "replace")).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("confirm is missing"));
        as(ADMIN).body(Map.of("backupId", id, "mode", "replace", "confirm", "shop")).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("confirm does not match"));
        as(ADMIN).body(Map.of("backupId", id, "mode", "replace", "confirm", "store", "tables", List.of("accounts"))).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id)).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("database is required"));
        as(ADMIN).body(Map.of("backupId", id, "database", "bad\"name")).post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id, "database", "lifeboat_drill_0123")).post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_x", "mode", "overwrite")).post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_x", "jobs", 0)).post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_x", "globals", true)).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", containsString("no stored globals"));
        as(ADMIN).body(Map.of("backupId", "not-a-uuid", "database", "lbt_x")).post("/api/v1/restores").then().statusCode(400).contentType(PROBLEM);
        as(ADMIN).body(Map.of("backupId", java.util.UUID.randomUUID().toString(), "database", "lbt_x")).post("/api/v1/restores")
                .then().statusCode(404).contentType(PROBLEM);
        as(ADMIN).body(Map.of("target", "store", "database", "lbt_x")).post("/api/v1/restores").then().statusCode(422).contentType(PROBLEM);
        as(ADMIN).body("{\"backupId\": ").post("/api/v1/restores").then().statusCode(400).contentType(PROBLEM);
        as(ADMIN).body("{\"backupId\": \"" + id + "\", \"database\": \"lbt_x\", \"tables\": \"accounts\"}").post("/api/v1/restores")
                .then().statusCode(400).contentType(PROBLEM);
        as(ADMIN).body("{\"backupId\": \"" + id + "\", \"database\": \"lbt_x\", \"jobs\": \"two\"}").post("/api/v1/restores")
                .then().statusCode(400).contentType(PROBLEM);
        as(ADMIN).body("{\"backupId\": \"" + id + "\", \"database\": \"lbt_x\", \"dropEverything\": true}").post("/api/v1/restores")
                .then().statusCode(400).contentType(PROBLEM);
        assertThat(as(VIEWER).get("/api/v1/jobs?kind=restore&limit=100").jsonPath().getList("items.args.database"))
                .as("no rejected request queued a job").doesNotContain("lbt_x");
    }
}
