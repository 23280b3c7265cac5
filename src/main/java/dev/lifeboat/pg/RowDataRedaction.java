package dev.lifeboat.pg;

import java.util.regex.Pattern;

/**
 * Takes row data out of the PostgreSQL messages a tool writes to stderr, before they reach a log, a
 * job's error or a webhook: a failing COPY names the line's content ({@code CONTEXT: COPY t, line 3:
 * "…"}), a constraint violation the key's values ({@code Key (email)=(…)}) or the whole row
 * ({@code Failing row contains (…)}). What is left still says which table, line and constraint.
 */
final class RowDataRedaction {
    static final String REDACTED = "[row data redacted]";
    private static final Pattern COPY_LINE = Pattern.compile("(COPY [^,]+, line \\d+)(, column [^:]+)?: .*");
    private static final Pattern KEY_VALUES = Pattern.compile("(Key \\([^)]*\\))=\\(.*\\)");
    private static final Pattern FAILING_ROW = Pattern.compile("(Failing row contains) \\(.*\\)");

    private RowDataRedaction() {
    }

    static String redact(String line) {
        String out = COPY_LINE.matcher(line).replaceAll("$1$2: " + REDACTED);
        out = KEY_VALUES.matcher(out).replaceAll("$1=" + REDACTED);
        return FAILING_ROW.matcher(out).replaceAll("$1 " + REDACTED);
    }
}
