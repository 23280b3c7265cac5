package dev.lifeboat.pg;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The control connection's snapshot: its counts are exact, they are those of the snapshot and not of
 * later writes, and a pg_dump in that snapshot restores to exactly those counts.
 */
class SnapshotSessionTest {
    final PgTestDb pg = new PgTestDb();
    final PgTools tools = new PgTools(PgTools.defaultBinDirs());

    @AfterEach
    void drop() throws Exception {
        pg.dropAll();
    }

    @Test
    void countsComeFromTheSnapshotAndTheDumpInItRestoresToThem(@TempDir Path dir) throws Exception {
        String db = pg.createDatabase();
        PgTestDb.execIn(db,
                "CREATE TABLE accounts (id bigserial PRIMARY KEY, name text NOT NULL)",
                "INSERT INTO accounts (name) SELECT 'user' || g FROM generate_series(1, 1000) g",
                "CREATE SCHEMA \"Odd Schema\"",
                "CREATE TABLE \"Odd Schema\".\"Weird.Name\" (\"Select\" int)",
                "INSERT INTO \"Odd Schema\".\"Weird.Name\" SELECT g FROM generate_series(1, 5) g",
                "CREATE TABLE events (id int NOT NULL, at date NOT NULL) PARTITION BY RANGE (at)",
                "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
                "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                "CREATE INDEX ON events (id)",
                "INSERT INTO events SELECT g, date '2024-06-01' FROM generate_series(1, 10) g",
                "INSERT INTO events SELECT g, date '2025-06-01' FROM generate_series(1, 20) g",
                "CREATE UNLOGGED TABLE cache (k text)",
                "INSERT INTO cache VALUES ('a'), ('b')",
                "CREATE TABLE schema_migrations (version varchar PRIMARY KEY)",
                "INSERT INTO schema_migrations VALUES ('20240101000000'), ('20250312101500'), ('20241231235959')",
                "CREATE VIEW recent_accounts AS SELECT * FROM accounts WHERE id > 900",
                "CREATE MATERIALIZED VIEW account_count AS SELECT count(*) FROM accounts",
                "CREATE SEQUENCE standalone_seq",
                "CREATE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42'");
        PgConnectInfo info = PgTestDb.info(db);

        Path archive = dir.resolve("dump.pgdump");
        Map<String, Long> snapshotCounts;
        SnapshotSession.SchemaCounts snapshotSchema;
        try (SnapshotSession session = SnapshotSession.open(info)) {
            snapshotCounts = session.rowCounts();
            snapshotSchema = session.schemaCounts();
            assertThat(session.snapshotId()).matches("[0-9A-F]+-[0-9A-F]+-\\d+");
            assertThat(session.snapshotTime()).isNotNull();
            assertThat(session.schemaMigrationsVersion()).hasValue("20250312101500");
            assertThat(snapshotCounts).containsExactly(
                    entry("\"Odd Schema\".\"Weird.Name\"", 5L),
                    entry("public.accounts", 1000L),
                    entry("public.cache", 2L),
                    entry("public.events_2024", 10L), // leaf partitions only: the partitioned parent holds no rows itself
                    entry("public.events_2025", 20L),
                    entry("public.schema_migrations", 3L));
            // tables: accounts, Weird.Name, events + 2 partitions, cache, schema_migrations;
            // indexes: accounts_pkey, schema_migrations_pkey, the partitioned index on events and one per partition;
            // sequences: accounts_id_seq, standalone_seq.
            assertThat(snapshotSchema).isEqualTo(new SnapshotSession.SchemaCounts(7, 5, 2, 1, 1, 1));

            // Writes committed after the snapshot was exported...
            PgTestDb.execIn(db,
                    "INSERT INTO accounts (name) SELECT 'late' || g FROM generate_series(1, 500) g",
                    "DELETE FROM events WHERE at = '2025-06-01' AND id <= 5",
                    "INSERT INTO schema_migrations VALUES ('20990101000000')",
                    "CREATE TABLE late_table (x int)",
                    "INSERT INTO late_table VALUES (1)");
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM accounts")).isEqualTo(1500);

            // ...are not in a dump taken in the snapshot.
            PgTools.Tool pgDump = tools.pgDump(ServerInfo.probe(info));
            PgDump dump = new PgDump("custom", session.snapshotId(), Duration.ofSeconds(30), Duration.ofMinutes(2), List.of());
            try (PgProcess p = dump.start(pgDump, info); OutputStream out = Files.newOutputStream(archive)) {
                p.stdout().transferTo(out);
                p.waitFor();
            }
        }
        assertThat(Files.readAllBytes(archive)).startsWith("PGDMP".getBytes());

        String restored = pg.createDatabase();
        PgTools.Tool pgRestore = tools.choose("pg_restore", ServerInfo.probe(info).major(), "test");
        try (PgProcess p = PgProcess.start(PgCommand.of(pgRestore)
                .args("--no-password", "--exit-on-error", "--dbname=" + restored, archive.toString())
                .connection(info.withDatabase(restored)).timeout(Duration.ofMinutes(2)).stdout(PgCommand.Stdout.DISCARD))) {
            p.waitFor();
        }

        assertThat(PgTestDb.countRows(restored, snapshotCounts.keySet())).isEqualTo(snapshotCounts);
        try (SnapshotSession again = SnapshotSession.open(PgTestDb.info(restored))) {
            assertThat(again.rowCounts()).isEqualTo(snapshotCounts); // and no late_table
            assertThat(again.schemaCounts()).isEqualTo(snapshotSchema);
            assertThat(again.schemaMigrationsVersion()).hasValue("20250312101500");
        }
    }

    @Test
    void aDatabaseWithoutSchemaMigrationsOrTablesHasNoVersionAndNoCounts() throws Exception {
        String db = pg.createDatabase();
        PgTestDb.execIn(db, "CREATE TABLE schema_migrations (id int)"); // no version column: not Rails'
        try (SnapshotSession session = SnapshotSession.open(PgTestDb.info(db))) {
            assertThat(session.schemaMigrationsVersion()).isEmpty();
            assertThat(session.rowCounts()).containsExactly(entry("public.schema_migrations", 0L));
        }
        String empty = pg.createDatabase();
        try (SnapshotSession session = SnapshotSession.open(PgTestDb.info(empty))) {
            assertThat(session.rowCounts()).isEmpty();
            assertThat(session.schemaCounts()).isEqualTo(new SnapshotSession.SchemaCounts(0, 0, 0, 0, 0, 0));
        }
    }

    @Test
    void closingEndsTheTransactionAndWithItTheSnapshot() throws Exception {
        String db = pg.createDatabase();
        String id;
        try (SnapshotSession session = SnapshotSession.open(PgTestDb.info(db))) {
            id = session.snapshotId();
            assertThat(PgTestDb.count(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND state = 'idle in transaction'")).isEqualTo(1);
        }
        try (var c = PgTestDb.connect(db); var st = c.createStatement()) {
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> st.execute("SET TRANSACTION SNAPSHOT '" + id + "'")))
                    .hasMessageContaining("invalid snapshot identifier");
        }
    }
}
