package dev.lifeboat.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.support.ScriptArgs;
import dev.lifeboat.support.ScriptedHandler;
import dev.lifeboat.support.TcpCutter;
import dev.lifeboat.support.TestKind;
import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A replica that loses Lifeboat's database (its connections to it cut, while everything else still
 * works) stops its running job before its lease runs out: the child process is killed and nothing is
 * written. So when another replica's rescuer takes the job over after the lease, the first attempt
 * is no longer running beside the second.
 */
@QuarkusTest
class LeaseLossTest {
    @Inject
    LifeboatConfig config;
    @Inject
    Clock clock;
    @Inject
    ObjectMapper json;
    @Inject
    JobQueue queue;
    @Inject
    JobEvents events;
    @Inject
    JobRescuer rescuer;
    @Inject
    WorkerPool pool;
    @Inject
    MeterRegistry metrics;

    @Test
    void aWorkerCutOffFromTheQueueKillsItsJobBeforeTheLeaseRunsOutAndAnotherReplicaRunsItOnce() throws Exception {
        ScriptedHandler recorder = new ScriptedHandler();
        JobHandler<ScriptArgs, Object> handler = new TestKind() {
            @Override
            public String kind() {
                return "cutoff";
            }

            @Override
            public JobOutcome<Object> run(JobContext ctx, ScriptArgs args) throws Exception {
                return ScriptedHandler.runScript(ctx, ctx.attempt() == 1 ? args : ScriptArgs.of(Map.of()), recorder);
            }
        };
        try (TcpCutter link = new TcpCutter(PgTestDb.HOST, PgTestDb.PORT);
             AgroalDataSource cutOffDb = dataSource(link.port())) {
            JobQueue cutOffQueue = queueOver(cutOffDb);
            JobWorker cutOff = new JobWorker("cut-off", cutOffQueue, events, Map.of("cutoff", handler), pool.settings(1), metrics);
            cutOff.start();
            UUID id = queue.enqueue(new NewJob(ScriptArgs.of("cutoff", Map.of("childProcess", true)), "t-" + UUID.randomUUID().toString()
                    .substring(0, 8), null)).job().id;
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.children.containsKey(id));
            ProcessHandle child = recorder.children.get(id);
            Job running = queue.find(id).orElseThrow();

            link.cut(); // this replica can no longer reach Lifeboat's database; the job's child still runs
            Duration lease = config.queue().lease();
            await().atMost(lease).until(() -> !child.isAlive());
            assertThat(queue.find(id).orElseThrow().leaseExpiresAt).as("killed before its lease ran out").isAfter(clock.instant());
            await().atMost(Duration.ofSeconds(10)).until(() -> cutOff.inFlight() == 0);
            Job meanwhile = queue.find(id).orElseThrow();
            assertThat(meanwhile.jobState()).as("nothing written by the cut-off worker").isEqualTo(JobState.RUNNING);
            assertThat(meanwhile.lockedBy).isEqualTo("cut-off");
            assertThat(meanwhile.attempt).isEqualTo(running.attempt);

            // Another replica takes it over after the lease, and runs it once more.
            JobWorker other = pool.newWorker("other", 1, Map.of("cutoff", handler));
            other.start();
            try {
                await().atMost(lease.plusSeconds(5)).until(() -> rescuer.runOnce(clock.instant()).requeued() > 0
                        || queue.find(id).orElseThrow().attempt > 1);
                await().atMost(Duration.ofSeconds(30)).until(() -> queue.find(id).orElseThrow().jobState() == JobState.SUCCEEDED);
                assertThat(recorder.executions).extracting(ScriptedHandler.Execution::workerId).containsExactly("cut-off", "other");
                assertThat(recorder.maxPerTarget.values()).allSatisfy(n -> assertThat(n.get()).isEqualTo(1));
            } finally {
                other.stop(Duration.ofSeconds(5));
                cutOff.crash();
            }
        }
    }

    private AgroalDataSource dataSource(int port) throws Exception {
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp.maxSize(4)
                        .acquisitionTimeout(Duration.ofSeconds(2))
                        .connectionFactoryConfiguration(cf -> cf
                                .jdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/lifeboat_test?connectTimeout=2&socketTimeout=3")
                                .principal(new NamePrincipal(PgTestDb.USER))
                                .credential(new SimplePassword(PgTestDb.PASSWORD)))));
    }

    private JobQueue queueOver(AgroalDataSource ds) {
        JobQueue q = new JobQueue();
        q.ds = ds;
        q.config = config;
        q.clock = clock;
        q.jsonFrom(json);
        return q;
    }
}
