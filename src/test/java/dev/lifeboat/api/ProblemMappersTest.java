package dev.lifeboat.api;

import jakarta.ws.rs.core.Response;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A request that needs Lifeboat's own database while it is unreachable (the chaos soak's cut replica saw a
 * catalog query fail so) is told to come back (503, Retry-After), not that Lifeboat is broken (500).
 */
class ProblemMappersTest {
    private final ProblemMappers mappers = new ProblemMappers();

    @Test
    void aLostConnectionToLifeboatsDatabaseIs503WithRetryAfter() {
        JDBCConnectionException e = new JDBCConnectionException("Unable to acquire JDBC Connection",
                new SQLException("Connection to 127.0.0.1:5432 refused.", "08001"));
        Response r = mappers.unexpected(e, null);
        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("5");
        assertThat(r.getMediaType().toString()).isEqualTo("application/problem+json");
    }

    @Test
    void anyOtherErrorIsStill500WithAReference() {
        Response r = mappers.unexpected(new IllegalStateException("boom", new SQLException("syntax error", "42601")), null);
        assertThat(r.getStatus()).isEqualTo(500);
        assertThat(r.getEntity().toString()).contains("reference").doesNotContain("boom");
    }
}
