package dev.lifeboat.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.support.OtherMajors;
import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.TestPgServer;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Lifeboat's own database may be any supported PostgreSQL, not only the 15 the other tests use: every
 * migration applies on real 14 and 17 servers, and the queue's statements (enqueue with an
 * idempotency key, the SKIP LOCKED claim with one running job per target, heartbeat, completion,
 * rescue of a lost lease, listing) behave the same there.
 */
@QuarkusTest
class OwnDatabaseMajorsTest {
    @Inject
    LifeboatConfig config;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;

    @Test
    void migrationsAndTheQueueWorkOnPostgres14() throws Exception {
        migrateAndRunTheQueue(OtherMajors.pg14, "14");
    }

    @Test
    void migrationsAndTheQueueWorkOnPostgres17() throws Exception {
        migrateAndRunTheQueue(OtherMajors.pg17, "17");
    }

    private void migrateAndRunTheQueue(TestPgServer server, String major) throws Exception {
        String db = "lifeboat_own_" + UUID.randomUUID().toString().substring(0, 8);
        OtherMajors.exec(server, "postgres", "CREATE DATABASE " + db);
        String url = "jdbc:postgresql://localhost:" + server.port() + "/" + db;
        try (AgroalDataSource ds = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp.maxSize(4).acquisitionTimeout(Duration.ofSeconds(5))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url)
                                .principal(new NamePrincipal(TestPgServer.USER))
                                .credential(new SimplePassword(TestPgServer.PASSWORD)))))) {
            var migrated = Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            assertThat(migrated.success).isTrue();
            assertThat(migrated.migrationsExecuted).isGreaterThanOrEqualTo(9);
            try (var c = ds.getConnection(); var rs = c.createStatement().executeQuery("SHOW server_version")) {
                rs.next();
                assertThat(rs.getString(1)).startsWith(major + ".");
            }

            JobQueue queue = new JobQueue();
            queue.ds = ds;
            queue.config = config;
            queue.clock = clock;
            queue.jsonFrom(json);

            JobQueue.Enqueued first = queue.enqueue(new NewJob(ScriptArgs.of("majors", Map.of()), "t1", "key-1"));
            JobQueue.Enqueued again = queue.enqueue(new NewJob(ScriptArgs.of("majors", Map.of()), "t1", "key-1"));
            assertThat(again.created()).as("the same idempotency key is one job").isFalse();
            assertThat(again.job().id).isEqualTo(first.job().id);
            UUID sameTarget = queue.enqueue(new NewJob(ScriptArgs.of("majors", Map.of()), "t1", null)).job().id;
            UUID otherTarget = queue.enqueue(new NewJob(ScriptArgs.of("majors", Map.of()), "t2", null)).job().id;

            List<Job> claimed = queue.claim("w1", Set.of("majors"), 10, Duration.ofSeconds(30));
            assertThat(claimed).extracting(j -> j.id).as("one running job per target").containsExactlyInAnyOrder(first.job().id, otherTarget);
            assertThat(queue.claim("w2", Set.of("majors"), 10, Duration.ofSeconds(30))).as("t1 is busy").isEmpty();
            assertThat(queue.heartbeat("w1", List.of(first.job().id, otherTarget), Duration.ofSeconds(30)).held())
                    .containsExactlyInAnyOrder(first.job().id, otherTarget);
            assertThat(queue.complete(first.job().id, "w1", Map.of("ok", true))).isTrue();
            assertThat(queue.find(first.job().id).orElseThrow().jobState()).isEqualTo(JobState.SUCCEEDED);

            List<Job> next = queue.claim("w2", Set.of("majors"), 10, Duration.ofSeconds(30));
            assertThat(next).extracting(j -> j.id).containsExactly(sameTarget);
            // w1 dies holding otherTarget: once its lease has run out the rescuer queues it again, attempt 2 follows.
            try (var c = ds.getConnection(); var ps = c.prepareStatement("UPDATE job SET lease_expires_at = now() - interval '1 second'"
                    + " WHERE id = ?")) {
                ps.setObject(1, otherTarget);
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            List<JobQueue.Rescued> rescued = queue.rescueExpired(Instant.now());
            assertThat(rescued).extracting(JobQueue.Rescued::id).containsExactly(otherTarget);
            assertThat(queue.complete(otherTarget, "w1", Map.of())).as("the dead worker's late success is refused").isFalse();
            List<Job> retried = queue.claim("w3", Set.of("majors"), 10, Duration.ofSeconds(30));
            assertThat(retried).extracting(j -> j.id).containsExactly(otherTarget);
            assertThat(retried.get(0).attempt).isEqualTo(2);
            assertThat(queue.list(null, "majors", JobState.SUCCEEDED, null, null, 10)).extracting(j -> j.id)
                    .containsExactly(first.job().id);
            assertThat(queue.countByState()).containsEntry(JobState.SUCCEEDED, 1L);
        } finally {
            OtherMajors.exec(server, "postgres", "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }
}
