package dev.lifeboat.job;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The pace a job's progress reports: what a progress bar shows as throughput and ETA. */
class JobProgressTest {

    @Test
    void paceIsTheBytesSinceThePhaseBeganOverItsTimeAndTheEtaTheRestAtThatPace() {
        JobProgress p = JobProgress.withPace("dumping", 300_000_000L, 1_000_000_000L, 100_000_000L, 2_000_000_000L);
        assertThat(p.bytesPerSecond()).isEqualTo(100_000_000L);
        assertThat(p.etaSeconds()).isEqualTo(7L);
        assertThat(p.toMap()).containsEntry("bytesPerSecond", 100_000_000L).containsEntry("etaSeconds", 7L);
        assertThat(JobProgress.fromMap(p.toMap())).isEqualTo(p);
    }

    @Test
    void noPaceInThePhasesFirstSecondWithoutBytesOrWhenNothingMoved() {
        assertThat(JobProgress.withPace("dumping", 50_000_000L, 1_000_000_000L, 0, 900_000_000L).bytesPerSecond()).isNull();
        assertThat(JobProgress.withPace("checking", null, null, 0, 5_000_000_000L).bytesPerSecond()).isNull();
        assertThat(JobProgress.withPace("dumping", 10L, 100L, 10, 5_000_000_000L).bytesPerSecond()).isNull();
    }

    @Test
    void noEtaWithoutATotalOrOnceTheEstimateIsPassed() {
        JobProgress noTotal = JobProgress.withPace("restoring", 500L, null, 0, 5_000_000_000L);
        assertThat(noTotal.bytesPerSecond()).isEqualTo(100L);
        assertThat(noTotal.etaSeconds()).isNull();
        JobProgress passed = JobProgress.withPace("dumping", 1_200L, 1_000L, 0, 4_000_000_000L);
        assertThat(passed.bytesPerSecond()).isEqualTo(300L);
        assertThat(passed.etaSeconds()).isNull();
    }

    @Test
    void progressRowsWrittenBeforeThePaceExistedStillLoad() {
        JobProgress old = JobProgress.fromMap(Map.of("phase", "dumping", "bytesDone", 5, "bytesTotal", 10));
        assertThat(old).isEqualTo(new JobProgress("dumping", 5L, 10L, null, null));
    }

    @Test
    void aContextMeasuresThePaceFromTheFirstReportOfEachPhase() {
        Job job = new Job(UUID.randomUUID(), "backup", "test", "running", null, null, null, 1, 1, null, "w1", null, null,
                null, null, null, null, null);
        JobContext ctx = new JobContext(job, "w1");
        long t = 1_000_000_000_000L;
        ctx.progress("dumping", 0L, 10_000_000L, t);
        ctx.progress("dumping", 2_000_000L, 10_000_000L, t + 1_250_000_000L);
        JobProgress dumping = ctx.takeDirtyProgress();
        assertThat(dumping.bytesPerSecond()).isEqualTo(1_600_000L);
        assertThat(dumping.etaSeconds()).isEqualTo(5L);
        // A new phase starts its own measurement: no pace until it has run a second.
        ctx.progress("verifying", 0L, 10_000_000L, t + 1_300_000_000L);
        ctx.progress("verifying", 5_000_000L, 10_000_000L, t + 1_800_000_000L);
        assertThat(ctx.takeDirtyProgress().bytesPerSecond()).isNull();
    }
}
