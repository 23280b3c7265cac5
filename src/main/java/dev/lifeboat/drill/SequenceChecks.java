package dev.lifeboat.drill;

import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.restore.Check;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Sequences not behind their tables, in every profile: a sequence owned by a column (serial, identity)
 * must be at or past the column's largest value, or the first insert after a restore fails with a
 * duplicate key. pg_dump writes each sequence's value as of its snapshot, so a restore whose
 * sequences lag shows a dump or restore that went wrong.
 */
final class SequenceChecks {
    private SequenceChecks() {
    }

    /** The owned sequences and their columns, each as SQL text safe to use (formatted by the server). */
    private static final String OWNED = """
            SELECT pg_catalog.format('%I.%I', sn.nspname, s.relname),
                   pg_catalog.format('%I.%I', tn.nspname, t.relname),
                   pg_catalog.quote_ident(a.attname),
                   ps.last_value IS NOT NULL, coalesce(ps.last_value, ps.start_value), ps.increment_by > 0
            FROM pg_catalog.pg_class s
            JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_catalog.pg_sequences ps ON ps.schemaname = sn.nspname AND ps.sequencename = s.relname
            JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = s.oid
                 AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype IN ('a', 'i')
            JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
            JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
            JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
            WHERE s.relkind = 'S' AND t.relkind IN ('r', 'p')
              AND pg_catalog.format_type(a.atttypid, NULL) IN ('smallint', 'integer', 'bigint')
            ORDER BY 1""";

    static Check run(PgConnectInfo restored) {
        List<String> behind = new ArrayList<>();
        int looked = 0;
        try (Connection c = restored.open(); Statement st = c.createStatement()) {
            List<String[]> owned = new ArrayList<>();
            try (ResultSet rs = st.executeQuery(OWNED)) {
                while (rs.next()) {
                    owned.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6)});
                }
            }
            for (String[] o : owned) {
                if (!"t".equals(o[5]) && !"true".equals(o[5])) {
                    continue; // a descending sequence: its column's minimum would matter; rare enough to leave
                }
                looked++;
                try (ResultSet rs = st.executeQuery("SELECT pg_catalog.max(" + o[2] + ")::bigint FROM " + o[1])) {
                    rs.next();
                    long max = rs.getLong(1);
                    if (rs.wasNull()) {
                        continue;
                    }
                    long value = Long.parseLong(o[4]);
                    boolean called = "t".equals(o[3]) || "true".equals(o[3]);
                    // The next value the sequence gives: after last_value once called, else its start (or setval's value).
                    if (called ? value < max : value <= max) {
                        behind.add(o[0] + " is at " + value + (called ? "" : " (not called)") + " but " + o[1] + "." + o[2] + " reaches " + max);
                    }
                }
            }
        } catch (SQLException e) {
            return new Check("sequences", false, "could not read the sequences of the restored database: " + restored.redact(e.getMessage()));
        }
        return behind.isEmpty()
                ? new Check("sequences", true, looked + " sequence(s) owned by columns, none behind its column")
                : new Check("sequences", false, String.join("; ", behind.subList(0, Math.min(10, behind.size())))
                        + (behind.size() > 10 ? " (and " + (behind.size() - 10) + " more)" : "")
                        + ": the first insert after such a restore fails with a duplicate key");
    }
}
