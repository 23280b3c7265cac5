package dev.lifeboat.pg;

import org.jboss.logging.Logger;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The control connection of a backup: a read-only {@code REPEATABLE READ} transaction whose snapshot
 * is exported for {@code pg_dump --snapshot=…}, and the facts about the database taken in that same
 * snapshot (exact row counts, schema object counts, Mastodon's schema version). A drill later proves
 * a restore by comparing its counts with these.
 *
 * <p>An exported snapshot exists only while the transaction that exported it is open: keep the
 * session open until pg_dump has finished (pg_dump imports the snapshot when it starts, but its
 * parallel workers, if any, import it later), then close it.
 *
 * <p>Which tables are counted: every ordinary table ({@code relkind 'r'}) outside {@code pg_catalog},
 * {@code information_schema} and the {@code pg_toast}/temporary schemas. That includes the leaf
 * partitions of a partitioned table but not the partitioned parent itself (it holds no rows of its own,
 * and counting both would count every row twice); it includes unlogged tables (pg_dump dumps their data)
 * but not foreign tables or materialized views (pg_dump dumps no data for them). Counts use
 * {@code FROM ONLY}, so a table with old-style inheritance children counts its own rows only, as
 * pg_dump dumps them.
 */
public final class SnapshotSession implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotSession.class);

    /** Schemas that are never user data. */
    static final String USER_SCHEMAS = "n.nspname NOT IN ('pg_catalog', 'information_schema')"
            + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

    /**
     * Counts of schema objects in user schemas, taken in the snapshot.
     *
     * @param tables    ordinary and partitioned tables, partitions included
     * @param indexes   indexes, partitioned indexes included
     * @param functions functions, procedures and aggregates
     */
    public record SchemaCounts(long tables, long indexes, long sequences, long functions, long views, long materializedViews) {
        /** {@code 4 tables, 3 indexes, …}: for people. */
        public String describe() {
            return tables + " tables, " + indexes + " indexes, " + sequences + " sequences, " + functions + " functions, "
                    + views + " views, " + materializedViews + " materialized views";
        }
    }

    private final PgConnectInfo info;
    private final Connection connection;
    private final String snapshotId;
    private final OffsetDateTime snapshotTime;
    private Map<String, Long> rowCounts;
    private final SchemaCounts schemaCounts;
    private final String schemaMigrationsVersion;
    private final String peertubeMigrationVersion;

    private SnapshotSession(PgConnectInfo info, Connection connection) throws SQLException {
        this.info = info;
        this.connection = connection;
        try (Statement st = connection.createStatement()) {
            // The snapshot is taken at the first query after BEGIN: pg_export_snapshot() is that query,
            // so every count below and pg_dump itself see exactly the same committed state.
            st.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
            this.snapshotId = single(st, "SELECT pg_catalog.pg_export_snapshot()").getString(1);
            try (ResultSet rs = st.executeQuery("SELECT pg_catalog.now()")) {
                rs.next();
                this.snapshotTime = rs.getObject(1, OffsetDateTime.class);
            }
            this.schemaCounts = countSchemaObjects(st);
            this.schemaMigrationsVersion = readSchemaMigrations(st);
            this.peertubeMigrationVersion = readPeertubeMigration(st);
        }
    }

    /**
     * Connects, exports a snapshot and takes the schema counts in it; connection errors as in
     * {@link PgConnectInfo#open()}. Row counts are taken later by {@link #rowCounts()}, so that a
     * backup can count while pg_dump runs.
     */
    public static SnapshotSession open(PgConnectInfo info) {
        Connection c = info.open();
        try {
            return new SnapshotSession(info, c);
        } catch (SQLException e) {
            closeQuietly(c);
            if ("42501".equals(e.getSQLState())) {
                throw new PgPermanentException("role " + info.username() + " may not read everything in " + info.describe() + ": "
                        + info.redact(e.getMessage()) + ". Hint: back up as the database owner, or GRANT pg_read_all_data TO "
                        + info.username() + " (PostgreSQL 14+)", e);
            }
            throw new PgConnectException("cannot take the snapshot and row counts (" + info.describe() + "): "
                    + info.redact(e.getMessage()) + ". Hint: the job is retried; check the role may read every table", e);
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** The exported snapshot's id, for {@code pg_dump --snapshot}. */
    public String snapshotId() {
        return snapshotId;
    }

    /** The server's time when the snapshot's transaction began: the moment the backup represents. */
    public OffsetDateTime snapshotTime() {
        return snapshotTime;
    }

    /**
     * Exact row counts by table, keyed by the qualified name with identifiers quoted only where needed
     * ({@code public.statuses}, {@code "My Schema"."Odd.Name"}), in name order. Counted in the exported
     * snapshot at the first call (then remembered): it reads every table once, so a backup calls it on
     * another thread while pg_dump reads the same tables; PostgreSQL's synchronized sequential scans let
     * both share the reads instead of scanning twice. It takes {@code ACCESS SHARE} locks (which only
     * block DDL), as pg_dump does, until {@link #close()}. Not to be called concurrently with itself.
     */
    public Map<String, Long> rowCounts() {
        return rowCounts(false);
    }

    /**
     * {@link #rowCounts()} of a database nothing else works on (a restored one being checked): each
     * count may use the server's parallel workers ({@code max_parallel_workers_per_gather}), so a
     * large table is scanned by several backends at once.
     */
    public Map<String, Long> rowCountsWithParallelWorkers() {
        return rowCounts(true);
    }

    private synchronized Map<String, Long> rowCounts(boolean parallelWorkers) {
        if (rowCounts == null) {
            try (Statement st = connection.createStatement()) {
                if (!parallelWorkers) {
                    // One backend, no parallel workers: the counts run beside pg_dump and only need to finish
                    // before it does; parallel workers would take CPU from the dump itself.
                    st.execute("SET LOCAL max_parallel_workers_per_gather = 0");
                }
                st.execute("SET LOCAL jit = off"); // compiling each count query costs more than it saves
                rowCounts = countRows(st);
            } catch (SQLException e) {
                if ("42501".equals(e.getSQLState())) {
                    throw new PgPermanentException("role " + info.username() + " may not read every table of " + info.describe() + ": "
                            + info.redact(e.getMessage()) + ". Hint: back up as the database owner, or GRANT pg_read_all_data TO "
                            + info.username() + " (PostgreSQL 14+)", e);
                }
                throw new PgConnectException("cannot count rows in the snapshot (" + info.describe() + "): "
                        + info.redact(e.getMessage()) + ". Hint: the job is retried", e);
            }
        }
        return rowCounts;
    }

    /**
     * Row counts keyed as {@link #rowCounts()}, for the same tables, taken from an archive's own counts
     * ({@link ArchiveRowCounter}): a table the archive holds data of has the archive's count; one it holds
     * no data of (an extension's table, whose rows CREATE EXTENSION makes) is counted in the snapshot.
     * Costs one catalog query instead of a scan of every table.
     */
    public synchronized Map<String, Long> rowCounts(ArchiveCounts archive) {
        try (Statement st = connection.createStatement()) {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (Map.Entry<String, TableName> t : countedTables(st).entrySet()) {
                Long n = archive.rows().get(t.getValue());
                counts.put(t.getKey(), n != null ? n : single(st, "SELECT pg_catalog.count(*) FROM ONLY " + t.getKey()).getLong(1));
            }
            return Collections.unmodifiableMap(counts);
        } catch (SQLException e) {
            throw new PgConnectException("cannot list the tables in the snapshot (" + info.describe() + "): "
                    + info.redact(e.getMessage()) + ". Hint: the job is retried", e);
        }
    }

    public SchemaCounts schemaCounts() {
        return schemaCounts;
    }

    /** {@code max(version)} of {@code public.schema_migrations} (Rails, so Mastodon) when that table exists. */
    public Optional<String> schemaMigrationsVersion() {
        return Optional.ofNullable(schemaMigrationsVersion);
    }

    /** {@code "migrationVersion"} of PeerTube's {@code public.application} table when it exists. */
    public Optional<String> peertubeMigrationVersion() {
        return Optional.ofNullable(peertubeMigrationVersion);
    }

    /**
     * Cancels the query running on the control connection (row counting), from another thread: a
     * backup that failed or was cancelled must not wait for the counts of a large database.
     */
    public void cancelRunningQuery() {
        try {
            connection.unwrap(org.postgresql.PGConnection.class).cancelQuery();
        } catch (SQLException e) {
            LOG.debugf("cancelling the row count on %s failed: %s", info.describe(), e.getMessage());
        }
    }

    /** Ends the transaction, and with it the exported snapshot. Call it after pg_dump has exited. */
    @Override
    public void close() {
        try (Statement st = connection.createStatement()) {
            st.execute("ROLLBACK");
        } catch (SQLException e) {
            LOG.debugf("rollback of the snapshot transaction failed (%s): %s", info.describe(), e.getMessage());
        } finally {
            closeQuietly(connection);
        }
    }

    private static Map<String, Long> countRows(Statement st) throws SQLException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : countedTables(st).keySet()) {
            counts.put(name, single(st, "SELECT pg_catalog.count(*) FROM ONLY " + name).getLong(1));
        }
        return Collections.unmodifiableMap(counts);
    }

    /**
     * The tables whose rows are counted (see the class comment), in name order: each one's qualified name with
     * identifiers quoted where needed (quote_ident on the server: the only safe way to put a name into SQL
     * text), and its unquoted schema and name.
     */
    private static Map<String, TableName> countedTables(Statement st) throws SQLException {
        Map<String, TableName> tables = new LinkedHashMap<>();
        try (ResultSet rs = st.executeQuery("SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),"
                + " n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind = 'r' AND c.relpersistence <> 't' AND " + USER_SCHEMAS
                + " ORDER BY n.nspname, c.relname")) {
            while (rs.next()) {
                tables.put(rs.getString(1), new TableName(rs.getString(2), rs.getString(3)));
            }
        }
        return tables;
    }

    private static SchemaCounts countSchemaObjects(Statement st) throws SQLException {
        ResultSet rs = single(st, "SELECT"
                + " count(*) FILTER (WHERE c.relkind IN ('r', 'p')),"
                + " count(*) FILTER (WHERE c.relkind IN ('i', 'I')),"
                + " count(*) FILTER (WHERE c.relkind = 'S'),"
                + " (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE " + USER_SCHEMAS + "),"
                + " count(*) FILTER (WHERE c.relkind = 'v'),"
                + " count(*) FILTER (WHERE c.relkind = 'm')"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relpersistence <> 't' AND " + USER_SCHEMAS);
        return new SchemaCounts(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6));
    }

    private static String readSchemaMigrations(Statement st) throws SQLException {
        boolean exists = single(st, "SELECT EXISTS (SELECT FROM pg_attribute"
                + " WHERE attrelid = pg_catalog.to_regclass('public.schema_migrations') AND attname = 'version' AND NOT attisdropped)")
                .getBoolean(1);
        if (!exists) {
            return null;
        }
        // Rails versions are 14-digit timestamps stored as text: their text order is their time order.
        return single(st, "SELECT max(version)::text FROM public.schema_migrations").getString(1);
    }

    private static String readPeertubeMigration(Statement st) throws SQLException {
        boolean exists = single(st, "SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute"
                + " WHERE attrelid = pg_catalog.to_regclass('public.application') AND attname = 'migrationVersion' AND NOT attisdropped)")
                .getBoolean(1);
        return exists ? single(st, "SELECT max(\"migrationVersion\")::text FROM public.application").getString(1) : null;
    }

    /** Runs a query returning one row and positions on it. The result set closes with the next query on {@code st}. */
    private static ResultSet single(Statement st, String sql) throws SQLException {
        ResultSet rs = st.executeQuery(sql);
        if (!rs.next()) {
            throw new SQLException("no row from: " + sql);
        }
        return rs;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing more to do
        }
    }
}
