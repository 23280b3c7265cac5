package dev.lifeboat.restore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static dev.lifeboat.restore.RestoreTest.LOCAL_ROOT;
import static dev.lifeboat.restore.RestoreTest.count;
import static dev.lifeboat.restore.RestoreTest.databasesLike;
import static dev.lifeboat.restore.RestoreTest.restore;
import static dev.lifeboat.support.Api.VIEWER;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.backupId;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Stored roles are trusted only as far as the catalog vouches for them: someone with write access to
 * the storage who swaps the globals object and fixes the manifest to match still cannot get a script
 * run, because the catalog kept the object's SHA-256 from when the backup was made.
 */
@QuarkusTest
class GlobalsTamperTest {
    static final String RECIPIENT = "age1ef7c5lacj2ue8wgyenlz0zy09ee7anjtzpm5gdaf3cmwldgg75tqnkzuwu";

    @Test
    void aSwappedRolesObjectWithAMatchingManifestIsRefusedAndNothingRuns() throws Exception {
        TargetDbs.recreateShop();
        String id = backupId("shop");
        JsonPath backup = as(VIEWER).get("/api/v1/backups/" + id).jsonPath();
        Path dump = LOCAL_ROOT.resolve(backup.getString("locations[0].key"));
        Path globals = dump.resolveSibling("globals.sql.age");
        Path manifestFile = dump.resolveSibling("manifest.json");
        assertThat(globals).exists();

        // An attacker's script, encrypted to the same recipient, in place of the real one; the manifest fixed to match.
        Process age = new ProcessBuilder("age", "-r", RECIPIENT, "-o", globals.toString()).start();
        age.getOutputStream().write("CREATE ROLE lbt_evil_role SUPERUSER LOGIN PASSWORD 'x';\n".getBytes());
        age.getOutputStream().close();
        assertThat(age.waitFor()).isZero();
        byte[] evil = Files.readAllBytes(globals);
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(manifestFile.toFile());
        ((ObjectNode) manifest.get("globals")).put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(evil)))
                .put("sizeBytes", evil.length);
        json.writerWithDefaultPrettyPrinter().writeValue(manifestFile.toFile(), manifest);

        JsonPath job = restore(Map.of("backupId", id, "database", "lbt_tampered", "globals", true));
        assertThat(job.getString("status")).isEqualTo("failed");
        assertThat(job.getString("error")).contains("cannot apply the globals").contains("the catalog recorded").contains("Nothing was restored");
        assertThat(count("lifeboat_test", "SELECT count(*) FROM pg_roles WHERE rolname = 'lbt_evil_role'")).isZero();
        assertThat(databasesLike("lbt\\_tampered")).isEmpty();
        PgTestDb.execIn("lifeboat_test", "DROP ROLE IF EXISTS lbt_evil_role");
    }
}
