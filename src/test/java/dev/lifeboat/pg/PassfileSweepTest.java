package dev.lifeboat.pg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** At start-up, password files of a killed Lifeboat are deleted; those of live JVMs (this one, another replica) stay. */
class PassfileSweepTest {
    @Test
    void onlyFilesOfJvmsThatAreGoneAreDeleted(@TempDir Path tmp) throws Exception {
        long dead = ProcessHandle.current().pid() + 1_000_000; // no such process
        Path ofDead = Files.writeString(tmp.resolve("lifeboat-" + dead + "-123.pgpass"), "*:*:*:*:secret\n");
        Path ofOld = Files.writeString(tmp.resolve("lifeboat-4567890123.pgpass"), "*:*:*:*:secret\n"); // older naming, no pid
        Path ofMine = Files.writeString(tmp.resolve("lifeboat-" + ProcessHandle.current().pid() + "-9.pgpass"), "x");
        Path ofInit = Files.writeString(tmp.resolve("lifeboat-1-9.pgpass"), "x"); // pid 1 is alive
        Path notOurs = Files.writeString(tmp.resolve("other.pgpass"), "x");
        assertThat(PgProcess.sweepPassfiles(tmp)).isEqualTo(2);
        assertThat(ofDead).doesNotExist();
        assertThat(ofOld).doesNotExist();
        assertThat(ofMine).exists();
        assertThat(ofInit).exists();
        assertThat(notOurs).exists();
    }
}
