package dev.lifeboat.backup;

import dev.lifeboat.pg.PgProcessException;

import java.util.List;
import java.util.Locale;

/** Decides whether a failed pg_dump / pg_dumpall run can succeed when retried (its message already carries the stderr tail). */
final class BackupFailure {
    /** stderr phrases of pg_dump / pg_dumpall that no retry will fix. */
    private static final List<String> PERMANENT = List.of(
            "permission denied", "password authentication failed", "does not exist", "server version mismatch",
            "no pg_hba.conf entry", "aborting because of server version mismatch", "must be superuser");

    private BackupFailure() {
    }

    static boolean isPermanent(PgProcessException e) {
        if (e.reason() != PgProcessException.Reason.FAILED) {
            return false;
        }
        for (String line : e.stderrTail()) {
            String l = line.toLowerCase(Locale.ROOT);
            for (String p : PERMANENT) {
                if (l.contains(p)) {
                    return true;
                }
            }
        }
        return false;
    }
}
