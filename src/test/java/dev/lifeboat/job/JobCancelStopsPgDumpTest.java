package dev.lifeboat.job;

import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgDump;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTestDb;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.pg.ServerInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/** A handler wires {@link PgProcess#cancelOn}: a job's cancel then stops its pg_dump at once. */
class JobCancelStopsPgDumpTest {
    final PgTestDb pg = new PgTestDb();

    @AfterEach
    void drop() throws Exception {
        pg.dropAll();
    }

    @Test
    void cancellingTheJobKillsItsPgDump() throws Exception {
        String db = pg.createDatabase();
        PgTestDb.execIn(db, "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 1000) g");
        PgConnectInfo info = PgTestDb.info(db);
        PgTools.Tool pgDump = new PgTools(PgTools.defaultBinDirs()).pgDump(ServerInfo.probe(info));
        Job job = new Job(UUID.randomUUID(), "backup", "test", "running", null, null, null, 1, 1, null, "worker-1", null, null,
                null, null, null, null, null);
        JobContext ctx = new JobContext(job, "worker-1");

        try (Connection locker = PgTestDb.connect(db)) {
            locker.setAutoCommit(false);
            try (Statement st = locker.createStatement()) {
                st.execute("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
            }
            try (PgProcess p = new PgDump("custom", null, Duration.ofMinutes(10), Duration.ofMinutes(10), List.of()).start(pgDump, info)) {
                p.cancelOn(ctx::onCancel);
                await().atMost(Duration.ofSeconds(20)).until(() -> PgTestDb.count(db, "SELECT count(*) FROM pg_stat_activity"
                        + " WHERE application_name = 'lifeboat-pg_dump' AND wait_event_type = 'Lock'") == 1);

                ctx.stop(JobContext.StopReason.CANCEL_REQUESTED);

                await().atMost(Duration.ofSeconds(5)).until(() -> !p.isAlive());
                assertThat(catchThrowableOfType(p::waitFor, PgProcessException.class).reason())
                        .isEqualTo(PgProcessException.Reason.CANCELLED);
            }
        }
    }
}
