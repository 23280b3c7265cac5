package dev.lifeboat.support;

import dev.lifeboat.pg.PgTestDb;

import java.sql.SQLException;

/**
 * The databases behind the test targets of application.properties ({@code shop}, {@code wrongpw},
 * {@code flaky}): owned by the login role {@code lifeboat_shop}, whose password only the target
 * configuration knows, so tests can check that it never leaks.
 */
public final class TargetDbs {
    public static final String ROLE = "lifeboat_shop";
    public static final String PASSWORD = "Shop-S3cret-pw-7d1e9a";
    public static final String WRONG_PASSWORD = "Not-The-Password-4c2b";
    public static final String SHOP = "lifeboat_shop";
    public static final String BULK = "lifeboat_bulk";

    private TargetDbs() {
    }

    public static void ensureRole() throws SQLException {
        PgTestDb.execIn("lifeboat_test",
                "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
                        + "CREATE ROLE " + ROLE + " LOGIN PASSWORD " + PgTestDb.quoteLiteral(PASSWORD) + "; END IF; END$$",
                // Drills restore into a scratch database the target's role creates and drops.
                "ALTER ROLE " + ROLE + " CREATEDB");
    }

    /** (Re)creates {@code lifeboat_shop} with a small shop: tables, a partitioned table, a sequence, a large object. */
    public static void recreateShop() throws SQLException {
        ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + SHOP + " WITH (FORCE)", "CREATE DATABASE " + SHOP + " OWNER " + ROLE);
        PgTestDb.execIn(SHOP,
                "SET ROLE " + ROLE,
                "CREATE TABLE accounts (id bigserial PRIMARY KEY, username text NOT NULL UNIQUE, note text)",
                "INSERT INTO accounts (username, note) SELECT 'user' || g, repeat('ü', g % 7) FROM generate_series(1, 1500) g",
                "CREATE TABLE statuses (id bigint NOT NULL, account_id bigint REFERENCES accounts, created date NOT NULL, text text) PARTITION BY RANGE (created)",
                "CREATE TABLE statuses_2025 PARTITION OF statuses FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                "CREATE TABLE statuses_2026 PARTITION OF statuses FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
                "INSERT INTO statuses SELECT g, 1 + g % 1500, date '2025-03-01' + (g % 600), 'toot ' || g FROM generate_series(1, 4000) g",
                "CREATE SEQUENCE invoice_no START 1000",
                "SELECT setval('invoice_no', 1234)",
                "SELECT lo_from_bytea(0, convert_to('a large object', 'UTF8'))");
    }

    /** (Re)creates {@code lifeboat_bulk}: about 12 MB of incompressible data, so its dump spans several 5 MiB parts. */
    public static void recreateBulk() throws SQLException {
        ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS " + BULK + " WITH (FORCE)", "CREATE DATABASE " + BULK + " OWNER " + ROLE);
        PgTestDb.execIn(BULK,
                "SET ROLE " + ROLE,
                "CREATE TABLE blobs (id int PRIMARY KEY, data bytea)",
                "ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL",
                "INSERT INTO blobs SELECT r, (SELECT string_agg(decode(md5(r::text || ':' || g || random()::text), 'hex'), ''::bytea)"
                        + " FROM generate_series(1, 4096) g) FROM generate_series(1, 190) r");
    }
}
