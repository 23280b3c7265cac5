package dev.lifeboat.storage;

import org.junit.jupiter.api.Test;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Part sizing: enough parts for large dumps, bounded memory. */
class S3SettingsTest {

    @Test
    void partsDoubleEveryThousandUpToTheCap() {
        S3Settings s = S3Settings.builder("b").build();
        assertThat(s.partSizeFor(1)).isEqualTo(8L * MiB);
        assertThat(s.partSizeFor(1000)).isEqualTo(8L * MiB);
        assertThat(s.partSizeFor(1001)).isEqualTo(16L * MiB);
        assertThat(s.partSizeFor(2000)).isEqualTo(16L * MiB);
        assertThat(s.partSizeFor(2001)).isEqualTo(32L * MiB);
        assertThat(s.partSizeFor(3001)).isEqualTo(64L * MiB);
        assertThat(s.partSizeFor(10_000)).isEqualTo(64L * MiB);
        assertThat(s.maxObjectSize()).isEqualTo((1000L * 8 + 1000L * 16 + 1000L * 32 + 7000L * 64) * MiB).isGreaterThan(500_000_000_000L);
        assertThat(s.maxUploadMemory()).isEqualTo(3L * 64 * MiB);
    }

    @Test
    void aLargeFirstPartRaisesTheCap() {
        S3Settings s = S3Settings.builder("b").partSize(128L * MiB).build();
        assertThat(s.maxPartSize()).isEqualTo(128L * MiB);
        assertThat(s.partSizeFor(5000)).isEqualTo(128L * MiB);
        assertThat(S3Settings.builder("b").partSize(5L * MiB).build().maxObjectSize()).isGreaterThan(400L * 1024 * 1024 * 1024);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> S3Settings.builder("b").partSize(MiB).build()).hasMessageContaining("part-size");
        assertThatThrownBy(() -> S3Settings.builder("b").uploadConcurrency(0).build()).hasMessageContaining("upload-concurrency");
        assertThatThrownBy(() -> S3Settings.builder(" ").build()).hasMessageContaining("bucket");
        assertThatThrownBy(() -> S3Settings.builder("b").prefix("a/../b").build()).hasMessageContaining("prefix");
        assertThat(S3Settings.builder("b").prefix("//backups/prod/").build().prefix()).isEqualTo("backups/prod");
        assertThat(S3Settings.builder("b").prefix(null).build().prefix()).isEmpty();
    }
}
