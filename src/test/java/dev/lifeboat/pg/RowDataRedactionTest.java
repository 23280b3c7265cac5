package dev.lifeboat.pg;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Row data never leaves a tool's stderr: COPY line contents, key values and failing rows are cut out. */
class RowDataRedactionTest {
    @Test
    void copyLinesKeyValuesAndFailingRowsAreRedactedTheRestIsKept() {
        assertThat(RowDataRedaction.redact("pg_restore: error: COPY failed for table \"accounts\": ERROR:  duplicate key value violates"
                + " unique constraint \"accounts_email_key\""))
                .isEqualTo("pg_restore: error: COPY failed for table \"accounts\": ERROR:  duplicate key value violates unique constraint"
                        + " \"accounts_email_key\"");
        assertThat(RowDataRedaction.redact("DETAIL:  Key (email)=(alice@example.org) already exists."))
                .isEqualTo("DETAIL:  Key (email)=[row data redacted] already exists.");
        assertThat(RowDataRedaction.redact("CONTEXT:  COPY accounts, line 17: \"17\talice@example.org\tsecret-note\""))
                .isEqualTo("CONTEXT:  COPY accounts, line 17: [row data redacted]");
        assertThat(RowDataRedaction.redact("CONTEXT:  COPY accounts, line 3, column email: \"not an email\""))
                .isEqualTo("CONTEXT:  COPY accounts, line 3, column email: [row data redacted]");
        assertThat(RowDataRedaction.redact("DETAIL:  Failing row contains (3, alice, null)."))
                .isEqualTo("DETAIL:  Failing row contains [row data redacted].");
    }
}
