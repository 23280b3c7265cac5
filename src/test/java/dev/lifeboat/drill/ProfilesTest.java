package dev.lifeboat.drill;

import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.TargetDbs;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drill profiles beyond row counts: PeerTube's own tables, sequences not behind their columns in every
 * profile, the deepened Mastodon checks, and the admin's own SQL checks (read-only, on the scratch
 * database only).
 */
@QuarkusTest
class ProfilesTest {

    /** A PeerTube-shaped database (its real table and column names), with a video {@code videoAge} old. */
    static void recreateTube(String videoAge) throws Exception {
        TargetDbs.ensureRole();
        PgTestDb.execIn("lifeboat_test", "DROP DATABASE IF EXISTS lifeboat_tube WITH (FORCE)", "CREATE DATABASE lifeboat_tube OWNER " + TargetDbs.ROLE);
        PgTestDb.execIn("lifeboat_tube", "SET ROLE " + TargetDbs.ROLE,
                "CREATE TABLE application (id serial PRIMARY KEY, \"migrationVersion\" integer)",
                "INSERT INTO application (\"migrationVersion\") VALUES (870)",
                "CREATE TABLE actor (id serial PRIMARY KEY, \"preferredUsername\" varchar(255))",
                "INSERT INTO actor (\"preferredUsername\") SELECT 'a' || g FROM generate_series(1, 20) g",
                "CREATE TABLE account (id serial PRIMARY KEY, name varchar(255), \"actorId\" integer REFERENCES actor)",
                "INSERT INTO account (name, \"actorId\") SELECT 'acct' || g, g FROM generate_series(1, 20) g",
                "CREATE TABLE \"user\" (id serial PRIMARY KEY, username varchar(255), email varchar(400))",
                "INSERT INTO \"user\" (username, email) SELECT 'u' || g, 'u' || g || '@example.org' FROM generate_series(1, 5) g",
                "CREATE TABLE \"videoChannel\" (id serial PRIMARY KEY, name varchar(255), \"accountId\" integer REFERENCES account)",
                "INSERT INTO \"videoChannel\" (name, \"accountId\") VALUES ('main', 1)",
                "CREATE TABLE video (id serial PRIMARY KEY, name varchar(255), \"channelId\" integer REFERENCES \"videoChannel\","
                        + " \"createdAt\" timestamptz NOT NULL)",
                "INSERT INTO video (name, \"channelId\", \"createdAt\") SELECT 'v' || g, 1, now() - interval '" + videoAge + "' - g * interval '1 hour'"
                        + " FROM generate_series(1, 30) g",
                "CREATE TABLE \"videoComment\" (id serial PRIMARY KEY, text text, \"videoId\" integer REFERENCES video,"
                        + " \"createdAt\" timestamptz NOT NULL)",
                "INSERT INTO \"videoComment\" (text, \"videoId\", \"createdAt\") VALUES ('nice', 1, now() - interval '" + videoAge + "')");
    }

    @Test
    void aPeerTubeDatabasePassesItsProfileAndTheAdminsChecksRunReadOnly() throws Exception {
        recreateTube("2 hours");
        JsonPath job = DrillTest.drillOf("tube");
        for (String check : new String[]{"peertube: core tables", "peertube: newest video or comment", "peertube: migration version",
                "sequences", "check: has-videos"}) {
            assertThat(job.getBoolean("result.checks.find { it.name == '" + check + "' }.passed")).as(check + ": " + job.prettify()).isTrue();
        }
        assertThat(job.getString("result.checks.find { it.name == 'peertube: migration version' }.detail")).contains("870");
        // The check that tries to write fails, and says why: it ran in a read-only transaction.
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("check: writes").contains("read-only transaction");
    }

    @Test
    void aSequenceBehindItsColumnFailsTheDrillInEveryProfile() throws Exception {
        recreateTube("2 hours");
        PgTestDb.execIn("lifeboat_tube", "SELECT setval('video_id_seq', 3)"); // 30 videos: the next insert would collide
        JsonPath job = DrillTest.drillOf("tube");
        assertThat(job.getBoolean("result.checks.find { it.name == 'sequences' }.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("sequences: public.video_id_seq is at 3 but public.video.id reaches 30");
    }

    @Test
    void aLocalMastodonAccountWithoutItsUserFailsTheMastodonProfile() throws Exception {
        DrillTest.recreateMasto("1 hour");
        PgTestDb.execIn("lifeboat_masto", "DELETE FROM users WHERE account_id = 7");
        JsonPath job = DrillTest.drillOf("masto");
        assertThat(job.getBoolean("result.passed")).isFalse();
        assertThat(job.getString("result.reason")).contains("mastodon: local accounts have users: 1 of 50 local account(s) have no user row");
        assertThat(job.getBoolean("result.checks.find { it.name == 'mastodon: statuses point at accounts' }.passed")).isTrue();
        assertThat(job.getBoolean("result.checks.find { it.name == 'mastodon: timestamp_id' }.passed")).isTrue();
        assertThat(job.getBoolean("result.checks.find { it.name == 'check: has-users' }.passed")).isTrue();
    }
}
