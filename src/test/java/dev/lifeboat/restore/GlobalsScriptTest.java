package dev.lifeboat.restore;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What psql may run from a stored roles script: SQL, and pg_dumpall's own \restrict lines; no meta-command anywhere. */
class GlobalsScriptTest {
    static final String DUMPALL = """
            --
            -- PostgreSQL database cluster dump
            --

            \\restrict GQS3JAufbi3jMJbx85F9t64d8krzhIgma6e54L5hUTO0VZc293K37BvnEg7dShz

            SET default_transaction_read_only = off;
            SET standard_conforming_strings = on;
            CREATE ROLE "odd\\role";
            ALTER ROLE lifeboat_shop WITH NOSUPERUSER INHERIT NOCREATEROLE CREATEDB LOGIN NOREPLICATION NOBYPASSRLS;
            COMMENT ON ROLE lifeboat_shop IS 'it''s a role
            \\! not a command: inside a literal';

            \\unrestrict GQS3JAufbi3jMJbx85F9t64d8krzhIgma6e54L5hUTO0VZc293K37BvnEg7dShz
            """;

    @Test
    void whatPgDumpallWritesPasses() {
        assertThat(GlobalsScript.problem(DUMPALL)).isNull();
    }

    @Test
    void anyMetaCommandOutsideQuotesIsRefusedWithItsLine() {
        assertThat(GlobalsScript.problem("CREATE ROLE a;\n\\! touch /tmp/pwned\n")).contains("line 2").contains("\\! touch");
        assertThat(GlobalsScript.problem("CREATE ROLE a; \\o /tmp/x\n")).contains("line 1").contains("\\o");
        assertThat(GlobalsScript.problem("SELECT 1 \\gexec\n")).contains("\\gexec");
        assertThat(GlobalsScript.problem("\\restrict key; \\! id\n")).contains("\\restrict");
        assertThat(GlobalsScript.problem("COMMENT ON ROLE a IS E'x\\' \\! id';\n")).isNull();
        assertThat(GlobalsScript.problem("COMMENT ON ROLE a IS 'open\n")).contains("never closed");
        assertThat(GlobalsScript.problem("DO $$ BEGIN END $$;\n")).contains("dollar");
    }
}
