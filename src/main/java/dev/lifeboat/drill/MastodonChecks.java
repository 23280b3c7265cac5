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
 * The {@code mastodon} drill profile, on the restored database: the tables a Mastodon instance cannot
 * live without hold rows, the newest status is not much older than the backup (a dump of a stale or
 * wrong database shows here), and the Rails schema version is the source's at backup time.
 */
final class MastodonChecks {
    private MastodonChecks() {
    }

    static List<Check> run(PgConnectInfo restored, Manifest manifest, Duration freshness) {
        List<Check> checks = new ArrayList<>();
        try (Connection c = restored.open(); Statement st = c.createStatement()) {
            List<String> empty = new ArrayList<>();
            for (String table : List.of("accounts", "users", "statuses")) {
                if (!exists(st, table)) {
                    empty.add(table + " (missing)");
                } else if (!hasRows(st, table)) {
                    empty.add(table + " (empty)");
                }
            }
            checks.add(new Check("mastodon: core tables", empty.isEmpty(),
                    empty.isEmpty() ? "accounts, users and statuses hold rows" : "not a usable Mastodon database: " + String.join(", ", empty)));

            if (exists(st, "statuses")) {
                OffsetDateTime newest = null;
                try (ResultSet rs = st.executeQuery("SELECT max(created_at) FROM public.statuses")) {
                    if (rs.next()) {
                        newest = rs.getObject(1, OffsetDateTime.class);
                    }
                } catch (SQLException e) {
                    newest = null;
                }
                OffsetDateTime taken = OffsetDateTime.ofInstant(manifest.createdAt(), ZoneOffset.UTC);
                boolean fresh = newest != null && !newest.plus(freshness).isBefore(taken);
                checks.add(new Check("mastodon: newest status", fresh, newest == null
                        ? "statuses has no created_at values"
                        : "newest status " + newest + ", backup taken " + taken + (fresh ? "" : ": older than lifeboat.drill.freshness-window (" + freshness + ")")));
            }

            String expected = manifest.schemaMigrationsVersion();
            String actual = null;
            if (exists(st, "schema_migrations")) {
                try (ResultSet rs = st.executeQuery("SELECT max(version)::text FROM public.schema_migrations")) {
                    rs.next();
                    actual = rs.getString(1);
                }
            }
            boolean same = actual != null && Objects.equals(expected, actual);
            checks.add(new Check("mastodon: schema version", same,
                    "schema_migrations newest " + actual + ", source at backup time " + expected));
        } catch (SQLException e) {
            checks.add(new Check("mastodon: checks", false, "could not query the restored database: " + restored.redact(e.getMessage())));
        }
        return checks;
    }

    private static boolean exists(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT to_regclass('public." + table + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static boolean hasRows(Statement st, String table) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT EXISTS (SELECT 1 FROM public." + table + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }
}
