package dev.lifeboat.support;

import dev.lifeboat.pg.PgTestDb;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Proves the backup/restore test pieces with the plain PostgreSQL tools, no Lifeboat code: the
 * {@link Fixtures#EVERY_OBJECT_KIND} fixture survives {@code pg_dump -Fc} + {@code pg_restore} with no
 * difference {@link PgCompare} can see, and PgCompare does see (and name) each kind of difference.
 */
class PgCompareTest {
    private static final PgTestDb DBS = new PgTestDb();
    @TempDir
    static Path tmp;
    private static String original;
    private static Path dump;

    @BeforeAll
    static void loadAndDump() throws SQLException {
        original = DBS.createDatabase();
        Fixtures.loadEveryObjectKind(original);
        dump = tmp.resolve("every-object-kind.dump");
        PgCompare.runTool("pg_dump", original, List.of("-Fc", "-f", dump.toString()), null);
    }

    @AfterAll
    static void dropDatabases() throws SQLException {
        DBS.dropAll();
    }

    /** A fresh empty database with the dump restored into it, the way an operator would. */
    private static String restoredCopy() throws SQLException {
        String copy = DBS.createDatabase();
        PgCompare.runTool("pg_restore", copy, List.of("--no-owner", "--exit-on-error", "-d", copy, dump.toString()), null);
        return copy;
    }

    @Test
    void fixtureHoldsWhatItsHeaderPromises() throws SQLException {
        assertThat(count("SELECT count(*) FROM pg_extension WHERE extname IN"
                + " ('pgcrypto', 'citext', 'hstore', 'pg_trgm', 'btree_gist', 'uuid-ossp')")).isEqualTo(6);
        assertThat(count("SELECT count(*) FROM pg_namespace WHERE nspname = 'ünïcødé schéma'")).isEqualTo(1);
        // Every partition, the default one included, holds rows.
        for (String partition : List.of("social.statuses_2024h1", "social.statuses_2024h2", "social.statuses_other")) {
            assertThat(count("SELECT count(*) FROM " + partition)).as(partition).isGreaterThan(100);
        }
        assertThat(count("SELECT count(*) FROM social.statuses")).isEqualTo(4500);
        assertThat(count("SELECT count(*) FROM \"ünïcødé schéma\".\"Émojis 🐘 Tàblé\"")).isEqualTo(501);
        assertThat(count("SELECT count(*) - count(DISTINCT r) FROM audit.raw_events r")).as("duplicate rows").isGreaterThan(0);
        assertThat(count("SELECT count(*) FROM pg_class WHERE relpersistence = 'u' AND relkind = 'r'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pg_policy WHERE polrelid = 'social.direct_messages'::regclass")).isEqualTo(3);
        assertThat(count("SELECT count(*) FROM pg_class WHERE oid = 'social.direct_messages'::regclass"
                + " AND relrowsecurity AND relforcerowsecurity")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pg_matviews WHERE ispopulated")).isEqualTo(2);
        assertThat(count("SELECT count(*) FROM pg_matviews WHERE NOT ispopulated")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM audit.account_changes")).as("rows written by the audit trigger").isGreaterThan(1000);
        assertThat(count("SELECT count(*) FROM pg_largeobject_metadata")).isEqualTo(5);
        assertThat(count("SELECT max(length(lo_get(oid))) FROM pg_largeobject_metadata")).isEqualTo(Fixtures.BIG_LARGE_OBJECT_BYTES);
        assertThat(count("SELECT count(*) FROM social.media_attachments WHERE file_name = 'hello.txt'"
                + " AND convert_from(lo_get(file_oid), 'UTF8') = '" + Fixtures.HELLO_LARGE_OBJECT + "'")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM social.edge_values WHERE f8 = 'NaN' OR n = 'Infinity' OR ts = '-infinity'")).isEqualTo(3);
    }

    @Test
    void restoredCopyHasNoDifference() throws SQLException {
        long started = System.nanoTime();
        String copy = restoredCopy();
        long restored = System.nanoTime();
        List<String> diffs = PgCompare.compare(original, copy);
        System.out.printf("pg_restore %d ms, PgCompare.compare %d ms%n", (restored - started) / 1_000_000,
                (System.nanoTime() - restored) / 1_000_000);

        assertThat(diffs).isEmpty();
        // Not vacuously: the comparison saw the objects.
        Map<String, String> fingerprint = PgCompare.fingerprint(copy);
        assertThat(fingerprint).containsKeys("table social.statuses", "table social.statuses_other", "table audit.rate_limits",
                "table \"ünïcødé schéma\".\"Émojis 🐘 Tàblé\"", "materialized view social.account_stats",
                "sequence social.snowflake_seq", "extension pg_trgm");
        assertThat(fingerprint.get("materialized view social.trending_tags")).isEqualTo("not populated");
        assertThat(fingerprint.get("sequence social.snowflake_seq")).isEqualTo("last_value=123456 is_called=true");
        assertThat(fingerprint.get("sequence social.invite_code_seq")).isEqualTo("last_value=500 is_called=false");
        assertThat(fingerprint.keySet().stream().filter(k -> k.startsWith("large object "))).hasSize(5);
        assertThat(PgCompare.schemaDump(copy)).anyMatch(l -> l.startsWith("CREATE POLICY dm_not_deleted"))
                .noneMatch(l -> l.contains(copy));
    }

    @Test
    void reportsEachDifferenceByName() throws SQLException {
        String copy = restoredCopy();
        long bigOid = PgTestDb.count(copy, "SELECT file_oid FROM social.media_attachments WHERE file_name = 'big.bin'");
        PgTestDb.execIn(copy,
                "UPDATE social.statuses SET text = text || '!' WHERE id = (SELECT min(id) FROM social.statuses_2024h2)",
                "SELECT setval('social.snowflake_seq', 123457)",
                "SELECT lo_put(" + bigOid + ", 1000000, '\\x00')",
                "DROP INDEX social.statuses_text_trgm",
                "UPDATE \"ünïcødé schéma\".\"Émojis 🐘 Tàblé\" SET \"mixedCase\" = 'changed' WHERE \"ID\" = 1",
                "DELETE FROM audit.raw_events WHERE ctid = (SELECT min(ctid) FROM audit.raw_events WHERE kind IS NULL)",
                "REFRESH MATERIALIZED VIEW social.trending_tags");

        List<String> diffs = PgCompare.compare(original, copy);
        diffs.forEach(System.out::println);

        assertThat(diffs).filteredOn(d -> d.startsWith("schema: "))
                .isNotEmpty()
                .allMatch(d -> d.startsWith("schema: only in " + original), "only the dropped index's lines differ")
                .anyMatch(d -> d.contains("CREATE INDEX statuses_text_trgm ON ONLY social.statuses USING gin (text public.gin_trgm_ops)"));
        List<String> content = diffs.stream().filter(d -> !d.startsWith("schema: ")).toList();
        assertThat(content).extracting(d -> d.substring(0, d.indexOf(": "))).containsExactlyInAnyOrder(
                "table social.statuses",
                "table social.statuses_2024h2",
                "sequence social.snowflake_seq",
                "large object " + bigOid,
                "table \"ünïcødé schéma\".\"Émojis 🐘 Tàblé\"",
                "table audit.raw_events",
                "materialized view social.trending_tags");
        assertThat(content).anySatisfy(d -> assertThat(d).isEqualTo("sequence social.snowflake_seq: " + original
                + ": last_value=123456 is_called=true; " + copy + ": last_value=123457 is_called=true"));
        assertThat(content).anySatisfy(d -> assertThat(d).startsWith("table audit.raw_events: " + original + ": 903 rows, md5 ")
                .contains(copy + ": 902 rows, md5 ").contains("rows only in " + original + ": 1 [(,,)]")
                .contains("rows only in " + copy + ": none"));
        assertThat(content).anySatisfy(d -> assertThat(d).startsWith("table \"ünïcødé schéma\".\"Émojis 🐘 Tàblé\": ")
                .contains("rows only in " + copy + ": 1 [(1,\"Nämé 1\",changed,日本語,2)]"));
        assertThat(content).anySatisfy(d -> assertThat(d).startsWith("large object " + bigOid + ": " + original + ": 1280000 bytes, md5 ")
                .contains(copy + ": 1280000 bytes, md5 "));
        assertThat(content).anySatisfy(d -> assertThat(d).startsWith("materialized view social.trending_tags: " + original
                + ": not populated; " + copy + ": "));
    }

    private long count(String sql) throws SQLException {
        return PgTestDb.count(original, sql);
    }
}
