package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.PgCompare;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each compression a target can choose makes a backup that is named for it, says what it is, drills and
 * restores: zstd (the default: shop), gzip (pg_dump's own, as before zstd: shopgz) and none (shopraw).
 */
@QuarkusTest
class CompressionTest {

    @BeforeAll
    static void database() throws Exception {
        TargetDbs.recreateShop();
    }

    @Test
    void zstdGzipAndNoneEachStoreTheirOwnKindOfObjectAndDrill() throws Exception {
        JsonPath zstd = stored("shop");
        JsonPath gzip = stored("shopgz");
        JsonPath none = stored("shopraw");

        assertThat(zstd.getString("compression")).isEqualTo("zstd");
        assertThat(zstd.getString("locations[0].key")).endsWith("/dump.pgc.zst.age");
        assertThat(gzip.getString("compression")).isEqualTo("gzip");
        assertThat(gzip.getString("locations[0].key")).endsWith("/dump.pgc.age");
        assertThat(none.getString("compression")).isEqualTo("none");
        assertThat(none.getString("locations[0].key")).endsWith("/dump.pgc.age");

        // The same database three ways: pg_dump -Z0 wrote the same archive size for zstd and none (one snapshot
        // apart, the same rows); zstd stores far less than it; gzip's archive is pg_dump's compressed one.
        long zstdArchive = zstd.getLong("archiveBytes");
        long noneArchive = none.getLong("archiveBytes");
        assertThat(zstdArchive).isBetween(noneArchive * 95 / 100, noneArchive * 105 / 100);
        assertThat(zstd.getLong("sizeBytes")).as("zstd of the archive").isLessThan(zstdArchive / 2);
        assertThat(none.getLong("sizeBytes")).as("age adds its header and 16 bytes per 64 KiB").isGreaterThan(noneArchive);
        assertThat(gzip.getLong("archiveBytes")).as("pg_dump's own gzip").isLessThan(noneArchive / 2);

        // Row counts come from the archive where pg_dump wrote it uncompressed, from the snapshot with pg_dump's gzip.
        assertThat(manifest(zstd).get("rowCountsFrom").asText()).isEqualTo("archive");
        assertThat(manifest(none).get("rowCountsFrom").asText()).isEqualTo("archive");
        assertThat(manifest(gzip).get("rowCountsFrom").asText()).isEqualTo("snapshot");
        assertThat(zstd.getMap("rowCounts")).isEqualTo(gzip.getMap("rowCounts")).isEqualTo(none.getMap("rowCounts"));

        for (JsonPath b : new JsonPath[] {zstd, gzip, none}) {
            Response d = as(OPERATOR).body(Map.of("backupId", b.getString("id"), "target", b.getString("target"))).post("/api/v1/drills");
            JsonPath drill = awaitJob(d.jsonPath().getString("id"));
            assertThat(drill.getBoolean("result.passed")).as(b.getString("compression") + ": " + drill.prettify()).isTrue();
        }
    }

    @Test
    void aZstdBackupRestoresStreamedAndSpooledForParallelJobs() throws Exception {
        String id = backupSucceeds("shop").getString("result.backupId");
        for (int jobs : new int[] {1, 3}) {
            String db = "lbt_zstd_restored_" + jobs;
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            try {
                Response r = as(ADMIN).body(Map.of("backupId", id, "database", db, "jobs", jobs)).post("/api/v1/restores");
                assertThat(r.statusCode()).as(r.asString()).isEqualTo(202);
                JsonPath job = awaitJob(r.jsonPath().getString("id"));
                assertThat(job.getString("status")).as(job.prettify()).isEqualTo("succeeded");
                assertThat(PgCompare.compareContent(TargetDbs.SHOP, db)).as("jobs=" + jobs).isEmpty();
            } finally {
                PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private static JsonNode manifest(JsonPath backup) throws Exception {
        return new ObjectMapper().readTree(BackupTest.LOCAL_ROOT.resolve(backup.getString("locations[0].manifestKey")).toFile());
    }

    private static JsonPath stored(String target) throws Exception {
        String id = backupSucceeds(target).getString("result.backupId");
        JsonPath b = as(VIEWER).get("/api/v1/backups/" + id).then().statusCode(200).extract().jsonPath();
        Path file = BackupTest.LOCAL_ROOT.resolve(b.getString("locations[0].key"));
        assertThat(Files.size(file)).isEqualTo(b.getLong("sizeBytes"));
        return b;
    }
}
