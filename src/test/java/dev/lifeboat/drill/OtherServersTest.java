package dev.lifeboat.drill;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.OtherMajors;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backup;
import static dev.lifeboat.support.Jobs.backupId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Servers that are not targets, and PostgreSQL majors 14, 16 and 17 beside the local 15 (real servers,
 * see {@link OtherMajors}; only version 15's client tools are installed): a 14 server is backed up with
 * pg_dump 15 and drilled on the 15 server; a 15 backup is drilled on and restored into 16 and 17 (an
 * upgrade by dump and restore), the drill recording every version; a 17 server cannot be backed up and
 * says what to install; a restore to a server that lacks the owning role says so; servers a target may
 * not use are refused with the list of those it may.
 */
@QuarkusTest
class OtherServersTest {
    static final String PROBLEM = "application/problem+json";

    static JsonPath drill(Map<String, Object> body) {
        Response r = as(OPERATOR).body(body).post("/api/v1/drills");
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
        return awaitJob(r.jsonPath().getString("id"));
    }

    @Test
    void aPostgres14ServerIsBackedUpWithPgDump15AndDrilledOnTheDrillServer() {
        JsonPath b = backup("v14");
        assertThat(b.getString("status")).as(b.prettify()).isEqualTo("succeeded");
        String id = b.getString("result.backupId");
        JsonPath catalog = as(ADMIN).get("/api/v1/backups/" + id).jsonPath();
        assertThat(catalog.getString("serverVersion")).startsWith("14.");
        assertThat(catalog.getString("pgDumpVersion")).startsWith("15.");

        JsonPath drill = drill(Map.of("target", "v14", "backupId", id)); // drill.server = pg15
        assertThat(drill.getBoolean("result.passed")).as(drill.prettify()).isTrue();
        assertThat(drill.getString("result.versions.server")).isEqualTo("pg15");
        assertThat(drill.getString("result.versions.sourceServer")).startsWith("14.");
        assertThat(drill.getString("result.versions.destinationServer")).startsWith("15.");
        assertThat(drill.getString("result.checks.find { it.name == 'sequences' }.detail")).contains("none behind");
    }

    @Test
    void aPostgres15BackupDrillsAndRestoresOnSixteenAndSeventeen() throws Exception {
        TargetDbs.recreateShop();
        String id = backupId("shop");
        // Restored objects belong to restore.role (lifeboat_shop): a server without it is refused before anything is restored.
        OtherMajors.exec(OtherMajors.pg17, "postgres", "DROP ROLE IF EXISTS " + TargetDbs.ROLE);
        JsonPath refused = awaitJob(as(ADMIN).body(Map.of("backupId", id, "database", "shop_on_17", "server", "pg17"))
                .post("/api/v1/restores").jsonPath().getString("id"));
        assertThat(refused.getString("status")).isEqualTo("failed");
        assertThat(refused.getString("error")).contains("role lifeboat_shop does not exist on server pg17").contains("Nothing was restored");

        for (Object[] s : new Object[][]{{"pg16", OtherMajors.pg16, "16."}, {"pg17", OtherMajors.pg17, "17."}}) {
            String server = (String) s[0];
            dev.lifeboat.support.TestPgServer pg = (dev.lifeboat.support.TestPgServer) s[1];
            OtherMajors.exec(pg, "postgres", "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lifeboat_shop')"
                    + " THEN CREATE ROLE lifeboat_shop; END IF; END$$", "DROP DATABASE IF EXISTS shop_upgraded WITH (FORCE)");

            JsonPath drill = drill(Map.of("target", "shop", "backupId", id, "server", server));
            assertThat(drill.getBoolean("result.passed")).as(drill.prettify()).isTrue();
            assertThat(drill.getString("result.versions.sourceServer")).startsWith("15.");
            assertThat(drill.getString("result.versions.pgDump")).startsWith("15.");
            assertThat(drill.getString("result.versions.destinationServer")).startsWith((String) s[2]);
            assertThat(drill.getString("result.versions.pgRestore")).startsWith("15.");
            assertThat(drill.getString("result.checks.find { it.name == 'pg_restore' }.detail")).contains("on server " + server);

            JsonPath restore = awaitJob(as(ADMIN).body(Map.of("backupId", id, "database", "shop_upgraded", "server", server))
                    .post("/api/v1/restores").jsonPath().getString("id"));
            assertThat(restore.getString("status")).as(restore.prettify()).isEqualTo("succeeded");
            assertThat(restore.getString("result.server")).isEqualTo(server);
            assertThat(restore.getString("result.serverVersion")).startsWith((String) s[2]);
            try (Connection c = DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.port() + "/shop_upgraded",
                    dev.lifeboat.support.TestPgServer.USER, dev.lifeboat.support.TestPgServer.PASSWORD);
                 Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM accounts")) {
                rs.next();
                assertThat(rs.getLong(1)).as("accounts on " + server).isEqualTo(PgTestDb.count(TargetDbs.SHOP, "SELECT count(*) FROM accounts"));
            }
            assertThat(PgTestDb.count("lifeboat_test", "SELECT count(*) FROM pg_database WHERE datname = 'shop_upgraded'"))
                    .as("nothing restored on the target's own server").isZero();
        }
    }

    @Test
    void serversATargetMayNotUseAreRefusedListingThoseItMay() {
        String id = backupId("store");
        as(ADMIN).body(Map.of("backupId", id, "database", "lbt_elsewhere", "server", "pg17")).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM)
                .body("detail", org.hamcrest.Matchers.containsString("Allowed servers: []"));
        String shop = backupId("shop");
        as(ADMIN).body(Map.of("backupId", shop, "mode", "replace", "confirm", "shop", "server", "pg17")).post("/api/v1/restores")
                .then().statusCode(422).contentType(PROBLEM).body("detail", org.hamcrest.Matchers.containsString("own server"));
        as(OPERATOR).body(Map.of("target", "shop", "backupId", shop, "server", "nope")).post("/api/v1/drills")
                .then().statusCode(422).contentType(PROBLEM).body("detail", org.hamcrest.Matchers.containsString("[pg16, pg17]"));
    }

    @Test
    void aPostgres17ServerFailsPreflightSayingWhichPgDumpToInstallAndStoresNothing() throws Exception {
        JsonPath b = backup("v17");
        assertThat(b.getString("status")).isEqualTo("failed");
        assertThat(b.getString("error")).contains("pg_dump 17 or newer is needed").contains("lifeboat.pg.bin-dirs")
                .contains("searched").contains("postgresql-client-17");
        Path dir = Path.of("target/test-backups/v17");
        assertThat(!Files.exists(dir) || Files.list(dir).findAny().isEmpty()).as("nothing stored for v17").isTrue();
    }
}
