package dev.lifeboat.drill;

import dev.lifeboat.backup.Manifest;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.restore.Check;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The {@code peertube} drill profile, on the restored database, with PeerTube's own tables (see its
 * server/core/models: {@code application}, {@code account}, {@code actor}, {@code user}, {@code video},
 * {@code videoChannel}, {@code videoComment}): the core tables hold rows, the newest video or comment
 * is not much older than the backup, and the migration version is the source's at backup time.
 */
final class PeerTubeChecks {
    private PeerTubeChecks() {
    }

    static List<Check> run(PgConnectInfo restored, Manifest manifest, Duration freshness) {
        List<Check> checks = new ArrayList<>();
        try (Connection c = restored.open(); Statement st = c.createStatement()) {
            List<String> empty = new ArrayList<>();
            for (String table : List.of("account", "actor", "user")) {
                if (!exists(st, table)) {
                    empty.add(table + " (missing)");
                } else if (!hasRows(st, table)) {
                    empty.add(table + " (empty)");
                }
            }
            checks.add(new Check("peertube: core tables", empty.isEmpty(),
                    empty.isEmpty() ? "account, actor and user hold rows" : "not a usable PeerTube database: " + String.join(", ", empty)));

            OffsetDateTime newest = null;
            for (String table : List.of("video", "videoComment")) {
                if (exists(st, table)) {
                    try (ResultSet rs = st.executeQuery("SELECT pg_catalog.max(\"createdAt\") FROM public.\"" + table + "\"")) {
                        rs.next();
                        OffsetDateTime t = rs.getObject(1, OffsetDateTime.class);
                        if (t != null && (newest == null || t.isAfter(newest))) {
                            newest = t;
                        }
                    }
                }
            }
            OffsetDateTime taken = OffsetDateTime.ofInstant(manifest.createdAt(), ZoneOffset.UTC);
            boolean fresh = newest != null && !newest.plus(freshness).isBefore(taken);
            checks.add(new Check("peertube: newest video or comment", fresh, newest == null
                    ? "video and videoComment hold nothing with a createdAt"
                    : "newest " + newest + ", backup taken " + taken + (fresh ? "" : ": older than lifeboat.drill.freshness-window (" + freshness + ")")));

            String expected = manifest.peertubeMigrationVersion();
            String actual = null;
            if (exists(st, "application")) {
                try (ResultSet rs = st.executeQuery("SELECT pg_catalog.max(\"migrationVersion\")::text FROM public.application")) {
                    rs.next();
                    actual = rs.getString(1);
                }
            }
            boolean same = actual != null && Objects.equals(expected, actual);
            checks.add(new Check("peertube: migration version", same,
                    "application.migrationVersion " + actual + ", source at backup time " + expected));
        } catch (SQLException e) {
            checks.add(new Check("peertube: checks", false, "could not query the restored database: " + restored.redact(e.getMessage())));
        }
        return checks;
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT pg_catalog.to_regclass('public.\"" + table + "\"') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean hasRows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM public.\"" + table + "\")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
