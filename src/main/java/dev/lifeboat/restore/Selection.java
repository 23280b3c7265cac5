package dev.lifeboat.restore;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a selective restore brings back (the Vivaldi Social lesson: recover some tables without
 * restoring 54 GB by hand). Applied as a {@code pg_restore --use-list} filter of the archive's table of
 * contents:
 * <ul>
 *   <li>{@code tables} ({@code schema.table}, or {@code table} for {@code public.table}): the table's
 *       definition, its rows and its constraints that are not foreign keys (primary key, unique, check,
 *       exclusion). Not its indexes, triggers, column defaults, sequences or foreign keys, which may
 *       depend on objects that are not restored (like {@code pg_restore -t}).</li>
 *   <li>{@code schemas}: every object in the schema (like {@code pg_restore -n}).</li>
 * </ul>
 * The schemas involved are created first when missing.
 *
 * @param tables  {@code schema.table} names, unquoted as PostgreSQL stores them
 * @param schemas schema names, unquoted
 */
public record Selection(List<String> tables, List<String> schemas) {
    /** One part of a name: what Lifeboat accepts without quoting trouble in lists and messages. */
    public static final Pattern PART = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");
    /** A {@code pg_restore --list} entry: {@code id; tableoid oid DESC SCHEMA NAME OWNER}. */
    private static final Pattern ENTRY = Pattern.compile("^(\\d+); (\\d+) (\\d+) (.*)$");
    /** Entry kinds of more than one word (pg_dump's "desc"), a longer one before its prefix. */
    private static final List<String> MULTI_WORD_KINDS = List.of(
            "MATERIALIZED VIEW DATA", "PUBLICATION TABLES IN SCHEMA", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
            "TEXT SEARCH TEMPLATE", "TEXT SEARCH PARSER", "FOREIGN DATA WRAPPER", "SEQUENCE OWNED BY", "MATERIALIZED VIEW",
            "PUBLICATION TABLE", "PROCEDURAL LANGUAGE", "OPERATOR FAMILY", "OPERATOR CLASS", "CHECK CONSTRAINT",
            "LARGE OBJECT", "BLOB METADATA", "ACCESS METHOD", "EVENT TRIGGER", "FOREIGN TABLE", "FK CONSTRAINT",
            "INDEX ATTACH", "TABLE ATTACH", "ROW SECURITY", "SEQUENCE SET", "USER MAPPING", "DEFAULT ACL", "SHELL TYPE",
            "TABLE DATA");
    private static final Set<String> TABLE_PARTS = Set.of("TABLE", "TABLE DATA", "CONSTRAINT", "CHECK CONSTRAINT");

    public Selection {
        tables = List.copyOf(tables);
        schemas = List.copyOf(schemas);
    }

    /**
     * Parses {@code schema.table} or {@code table} (then in {@code public}).
     *
     * @return {schema, table}, or null when the name is not acceptable
     */
    public static String[] splitTable(String name) {
        if (name == null) {
            return null;
        }
        int dot = name.indexOf('.');
        String schema = dot < 0 ? "public" : name.substring(0, dot);
        String table = dot < 0 ? name : name.substring(dot + 1);
        return PART.matcher(schema).matches() && PART.matcher(table).matches() ? new String[]{schema, table} : null;
    }

    /** Schemas that must exist before the selected objects are restored. */
    public List<String> schemasToCreate() {
        Set<String> all = new LinkedHashSet<>(schemas);
        for (String t : tables) {
            all.add(splitTable(t)[0]);
        }
        all.remove("public");
        return List.copyOf(all);
    }

    /**
     * Requested names the backup does not hold, judged by the manifest's row counts (keys are
     * {@code quote_ident(schema).quote_ident(table)}).
     */
    public List<String> missingFrom(Map<String, Long> rowCounts) {
        Set<String> tablesInBackup = new LinkedHashSet<>();
        Set<String> schemasInBackup = new LinkedHashSet<>();
        for (String key : rowCounts.keySet()) {
            String[] parts = unquote(key);
            tablesInBackup.add(parts[0] + "." + parts[1]);
            schemasInBackup.add(parts[0]);
        }
        List<String> missing = new ArrayList<>();
        for (String t : tables) {
            String[] st = splitTable(t);
            if (!tablesInBackup.contains(st[0] + "." + st[1])) {
                missing.add("table " + st[0] + "." + st[1]);
            }
        }
        for (String s : schemas) {
            if (!schemasInBackup.contains(s)) {
                missing.add("schema " + s);
            }
        }
        return missing;
    }

    /** The lines of {@code pg_restore --list} output to keep (other lines are dropped). */
    public List<String> filter(List<String> tocLines) {
        List<String[]> wanted = tables.stream().map(Selection::splitTable).toList();
        List<String> kept = new ArrayList<>();
        for (String line : tocLines) {
            Matcher m = ENTRY.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String rest = m.group(4);
            String kind = MULTI_WORD_KINDS.stream().filter(k -> rest.startsWith(k + " ")).findFirst()
                    .orElse(rest.contains(" ") ? rest.substring(0, rest.indexOf(' ')) : rest);
            String afterKind = rest.length() > kind.length() ? rest.substring(kind.length() + 1) : "";
            int space = afterKind.indexOf(' ');
            String schema = space < 0 ? afterKind : afterKind.substring(0, space);
            String nameAndOwner = space < 0 ? "" : afterKind.substring(space + 1);
            boolean keep = schemas.contains(schema);
            if (!keep && TABLE_PARTS.contains(kind)) {
                for (String[] t : wanted) {
                    // TABLE and TABLE DATA: "name owner"; constraints: "table constraint owner".
                    if (t[0].equals(schema) && nameAndOwner.startsWith(t[1] + " ")
                            && (kind.startsWith("TABLE") ? nameAndOwner.indexOf(' ', t[1].length() + 1) < 0 : true)) {
                        keep = true;
                        break;
                    }
                }
            }
            if (keep) {
                kept.add(line);
            }
        }
        return kept;
    }

    private static String[] unquote(String qualified) {
        // quote_ident output: either a plain part or "...", with "" for a quote; split on the dot between them.
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < qualified.length(); i++) {
            char c = qualified.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < qualified.length() && qualified.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == '.' && parts.isEmpty()) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts.size() == 2 ? parts.toArray(String[]::new) : new String[]{"public", qualified};
    }
}
