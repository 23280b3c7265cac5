package dev.lifeboat.backup;

import dev.lifeboat.pg.PgTestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup that Lifeboat wrote before it compressed with zstd (committed under
 * {@code src/test/resources/legacy-backup}, see its README) is found by a catalog rebuild, drills and
 * restores after the upgrade, unchanged.
 */
@QuarkusTest
class LegacyBackupTest {
    static final Path FIXTURE = Path.of("src/test/resources/legacy-backup");
    static final String ID = "a2a509aa-4f8f-4e30-a786-43253b3308ae";

    @Test
    void aBackupFromBeforeZstdIsRebuiltDrilledAndRestored() throws Exception {
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS lifeboat_legacy WITH (FORCE)", "CREATE DATABASE lifeboat_legacy");
        try (Stream<Path> files = Files.walk(FIXTURE.resolve("legacy"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = BackupTest.LOCAL_ROOT.resolve(FIXTURE.relativize(f));
                Files.createDirectories(to.getParent());
                Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (as(VIEWER).get("/api/v1/backups/" + ID).statusCode() == 404) {
            CatalogRebuildTest.rebuild();
        }
        JsonPath b = as(VIEWER).get("/api/v1/backups/" + ID).then().statusCode(200).extract().jsonPath();
        assertThat(b.getString("compression")).as("pg_dump's own, as every backup before zstd").isEqualTo("gzip");
        assertThat(b.getString("locations[0].key")).endsWith("/dump.pgc.age");
        assertThat(b.getObject("archiveBytes", Long.class)).isNull();

        Response d = as(OPERATOR).body(Map.of("target", "legacy", "backupId", ID)).post("/api/v1/drills");
        JsonPath drill = awaitJob(d.jsonPath().getString("id"));
        assertThat(drill.getBoolean("result.passed")).as(drill.prettify()).isTrue();

        String db = "lbt_legacy_restored";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        try {
            Response r = as(ADMIN).body(Map.of("backupId", ID, "database", db)).post("/api/v1/restores");
            JsonPath job = awaitJob(r.jsonPath().getString("id"));
            assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM public.accounts WHERE note LIKE E'line one\\nline two%'")).isEqualTo(300);
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM public.statuses")).isEqualTo(12000);
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM \"Audit Log\".\"Events\"")).isEqualTo(40);
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(1);
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }
}
