package dev.lifeboat.backup;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.lifeboat.support.Api.ADMIN;
import static dev.lifeboat.support.Api.OPERATOR;
import static dev.lifeboat.support.Api.as;
import static dev.lifeboat.support.Jobs.awaitJob;
import static dev.lifeboat.support.Jobs.backupSucceeds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A target's owner is not trusted: functions planted in the target's schemas never stand in for the
 * built-ins Lifeboat calls (every connection searches pg_catalog only, and calls are qualified), and
 * the tools Lifeboat runs see none of its own environment's secrets.
 */
@QuarkusTest
class HostileObjectsAndChildEnvironmentTest {

    @Test
    void functionsPlantedByTheTargetsOwnerChangeNothingForBackupDrillAndRestore() throws Exception {
        TargetDbs.recreateShop();
        PgTestDb.execIn(TargetDbs.SHOP, "SET ROLE " + TargetDbs.ROLE,
                "CREATE FUNCTION public.quote_ident(name) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile quote_ident'; END$$",
                "CREATE FUNCTION public.starts_with(name, text) RETURNS boolean LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile starts_with'; END$$",
                "CREATE FUNCTION public.pg_export_snapshot(int) RETURNS text LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'hostile'; END$$");
        JsonPath backup = backupSucceeds("shop");
        String id = backup.getString("result.backupId");
        assertThat(backup.getInt("result.tables")).isPositive();

        JsonPath drill = awaitJob(as(OPERATOR).body(Map.of("target", "shop", "backupId", id)).post("/api/v1/drills").jsonPath().getString("id"));
        assertThat(drill.getBoolean("result.passed")).as(drill.prettify()).isTrue();

        String restored = "lbt_hostile_restored";
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        try {
            JsonPath restore = awaitJob(as(ADMIN).body(Map.of("backupId", id, "database", restored)).post("/api/v1/restores").jsonPath().getString("id"));
            assertThat(restore.getString("status")).as(restore.prettify()).isEqualTo("succeeded");
        } finally {
            PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + restored + " WITH (FORCE)");
        }
    }

    @Test
    void pgDumpSeesOnlyPathLocaleAndItsOwnConnectionSettings() throws Exception {
        TargetDbs.recreateShop();
        try (Connection locker = PgTestDb.connect(TargetDbs.SHOP)) {
            // Hold pg_dump on a lock long enough to read its environment.
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
            }
            Response r = as(OPERATOR).body(Map.of("target", "shop")).post("/api/v1/backups");
            assertThat(r.statusCode()).isEqualTo(202);
            ProcessHandle pgDump = await().atMost(Duration.ofSeconds(30)).until(() -> ProcessHandle.current().descendants()
                    .filter(p -> p.info().command().orElse("").endsWith("/pg_dump")).findFirst(), Optional::isPresent).get();
            List<String> env = environ(pgDump.pid());
            locker.rollback();
            assertThat(awaitJob(r.jsonPath().getString("id")).getString("status")).isEqualTo("succeeded");

            List<String> names = env.stream().map(e -> e.substring(0, e.indexOf('='))).toList();
            assertThat(names).allSatisfy(n -> assertThat(n.startsWith("PG") || n.startsWith("LC_")
                    || List.of("PATH", "LANG", "LANGUAGE", "TZ", "TMPDIR").contains(n)).as(n).isTrue());
            assertThat(names).contains("PATH", "PGPASSFILE", "PGHOST", "PGUSER").doesNotContain("PGPASSWORD", "HOME");
            assertThat(String.join("\n", env)).doesNotContain(TargetDbs.PASSWORD);
            assertThat(System.getenv().keySet()).as("the JVM itself had more to leak").hasSizeGreaterThan(names.size());
        }
    }

    static List<String> environ(long pid) throws Exception {
        byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/environ"));
        List<String> out = new ArrayList<>();
        for (String e : new String(raw, StandardCharsets.UTF_8).split("\0")) {
            if (!e.isEmpty()) {
                out.add(e);
            }
        }
        return out;
    }
}
