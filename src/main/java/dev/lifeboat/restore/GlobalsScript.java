package dev.lifeboat.restore;

import java.util.regex.Pattern;

/**
 * Checks a stored {@code pg_dumpall --globals-only} script before psql runs it: SQL only. psql
 * executes a backslash command wherever one stands outside a quoted literal or identifier, even after
 * a statement on the same line, and {@code \!} runs a shell command; so the only backslashes allowed
 * outside quotes are the <code>&#92;restrict &lt;key&gt;</code> and <code>&#92;unrestrict &lt;key&gt;</code> lines that pg_dumpall
 * itself writes (PostgreSQL 13.22, 14.19, 15.14, 16.10, 17.6 and later).
 */
final class GlobalsScript {
    private static final Pattern RESTRICT = Pattern.compile("\\\\(un)?restrict [A-Za-z0-9]+");

    private GlobalsScript() {
    }

    /** What makes the script unsafe to hand to psql (line and why), or null when it is plain SQL. */
    static String problem(String script) {
        int line = 1;
        int i = 0;
        int n = script.length();
        boolean lineStart = true;
        while (i < n) {
            char c = script.charAt(i);
            if (c == '\n') {
                line++;
                lineStart = true;
                i++;
                continue;
            }
            if (lineStart) {
                int end = script.indexOf('\n', i);
                String text = script.substring(i, end < 0 ? n : end).stripTrailing();
                if (RESTRICT.matcher(text).matches()) {
                    i += text.length();
                    lineStart = false;
                    continue;
                }
            }
            lineStart = false;
            if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int end = script.indexOf('\n', i);
                i = end < 0 ? n : end;
            } else if (c == '\'' || c == '"') {
                boolean escapes = c == '\'' && i > 0 && (script.charAt(i - 1) == 'E' || script.charAt(i - 1) == 'e');
                int start = line;
                i++;
                while (true) {
                    if (i >= n) {
                        return "line " + start + ": a quoted " + (c == '"' ? "identifier" : "literal") + " is never closed";
                    }
                    char q = script.charAt(i);
                    if (q == '\n') {
                        line++;
                    }
                    if (escapes && q == '\\') {
                        i += 2;
                        continue;
                    }
                    i++;
                    if (q == c) {
                        if (i < n && script.charAt(i) == c) {
                            i++; // a doubled quote stands for itself
                            continue;
                        }
                        break;
                    }
                }
            } else if (c == '$') {
                return "line " + line + ": a dollar sign, which pg_dumpall --globals-only never writes outside quotes";
            } else if (c == '\\') {
                int end = script.indexOf('\n', i);
                String command = script.substring(i, Math.min(end < 0 ? n : end, i + 20));
                return "line " + line + ": the psql meta-command '" + command + "', which pg_dumpall --globals-only never writes";
            } else {
                i++;
            }
        }
        return null;
    }
}
