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
 * wrong database shows here), the Rails schema version is the source's at backup time, every local account
 * has its user row, statuses point at existing accounts (sampled), and the timestamp_id function exists.
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
            checks.add(localAccountsHaveUsers(st));
            checks.add(statusesPointAtAccounts(st));
            boolean timestampId = single(st, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n"
                    + " ON n.oid = p.pronamespace WHERE n.nspname = 'public' AND p.proname = 'timestamp_id')");
            checks.add(new Check("mastodon: timestamp_id", timestampId, timestampId
                    ? "the timestamp_id() function that makes new statuses' ids is there"
                    : "the timestamp_id() function is missing: new statuses cannot get an id (it is created by Mastodon's db:migrate)"));
        } catch (SQLException e) {
            checks.add(new Check("mastodon: checks", false, "could not query the restored database: " + restored.redact(e.getMessage())));
        }
        return checks;
    }

    /** The guide's "confirm user access": every local account (but the instance actor, id < 0) has its user row. */
    private static Check localAccountsHaveUsers(Statement st) throws SQLException {
        if (!column(st, "accounts", "domain") || !column(st, "users", "account_id")) {
            return new Check("mastodon: local accounts have users", false, "accounts.domain or users.account_id is missing");
        }
        long orphans = count(st, "SELECT pg_catalog.count(*) FROM public.accounts a WHERE a.domain IS NULL AND a.id > 0"
                + " AND NOT EXISTS (SELECT 1 FROM public.users u WHERE u.account_id = a.id)");
        long local = count(st, "SELECT pg_catalog.count(*) FROM public.accounts WHERE domain IS NULL AND id > 0");
        return new Check("mastodon: local accounts have users", orphans == 0, orphans == 0
                ? local + " local account(s), each with its user row"
                : orphans + " of " + local + " local account(s) have no user row: those people cannot sign in");
    }

    /** Statuses point at existing accounts, on a sample of the newest 10,000 (cheap on any size). */
    private static Check statusesPointAtAccounts(Statement st) throws SQLException {
        if (!column(st, "statuses", "account_id")) {
            return new Check("mastodon: statuses point at accounts", false, "statuses.account_id is missing");
        }
        long dangling = count(st, "SELECT pg_catalog.count(*) FROM (SELECT account_id FROM public.statuses ORDER BY id DESC LIMIT 10000) s"
                + " WHERE NOT EXISTS (SELECT 1 FROM public.accounts a WHERE a.id = s.account_id)");
        return new Check("mastodon: statuses point at accounts", dangling == 0, dangling == 0
                ? "the newest 10,000 statuses all belong to existing accounts"
                : dangling + " of the newest 10,000 statuses belong to no existing account");
    }

    private static boolean column(Statement st, String table, String column) throws SQLException {
        return single(st, "SELECT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('public." + table
                + "') AND attname = '" + column + "' AND NOT attisdropped)");
    }

    private static long count(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean single(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
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
