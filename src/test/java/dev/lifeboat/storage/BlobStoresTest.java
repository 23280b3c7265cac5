package dev.lifeboat.storage;

import dev.lifeboat.config.LifeboatConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Stores built from {@code lifeboat.storage.*}. */
class BlobStoresTest {

    static LifeboatConfig config(Map<String, String> props) {
        return new SmallRyeConfigBuilder()
                .withMapping(LifeboatConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build()
                .getConfigMapping(LifeboatConfig.class);
    }

    @Test
    void oneStorePerConfiguredStorage() {
        BlobStores stores = new BlobStores(config(Map.of(
                "lifeboat.storage.local.type", "filesystem",
                "lifeboat.storage.local.path", "/var/backups/lifeboat",
                "lifeboat.storage.offsite.type", "s3",
                "lifeboat.storage.offsite.bucket", "fedi-backups",
                "lifeboat.storage.offsite.endpoint", "https://s3.example.net",
                "lifeboat.storage.offsite.path-style", "true",
                "lifeboat.storage.offsite.prefix", "lifeboat/",
                "lifeboat.storage.offsite.access-key-id", "AKIA",
                "lifeboat.storage.offsite.secret-access-key", "s3cret",
                "lifeboat.storage.offsite.part-size", "32M")), new UploadMemory(UploadMemory.defaultBudget()));
        try {
            assertThat(stores.all()).extracting(BlobStore::name).containsExactly("local", "offsite");
            assertThat(stores.get("local")).isInstanceOfSatisfying(FilesystemBlobStore.class,
                    s -> assertThat(s.root()).hasToString("/var/backups/lifeboat"));
            assertThat(stores.get("offsite")).isInstanceOfSatisfying(S3BlobStore.class, s -> {
                S3Settings settings = s.settings();
                assertThat(settings.bucket()).isEqualTo("fedi-backups");
                assertThat(settings.endpoint()).contains(URI.create("https://s3.example.net"));
                assertThat(settings.pathStyle()).isTrue();
                assertThat(settings.prefix()).isEqualTo("lifeboat");
                assertThat(settings.region()).isEqualTo("us-east-1");
                assertThat(settings.partSize()).isEqualTo(32L * MiB);
                assertThat(settings.uploadConcurrency()).isEqualTo(2);
                assertThat(settings.accessKeyId()).contains("AKIA");
            });
            assertThatThrownBy(() -> stores.get("nas")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("No storage named 'nas'").hasMessageContaining("[local, offsite]");
        } finally {
            stores.close();
        }
    }

    @Test
    void s3DefaultsAreSixteenMebibytePartsTwoAtATime() {
        BlobStores stores = new BlobStores(config(Map.of(
                "lifeboat.storage.offsite.type", "s3",
                "lifeboat.storage.offsite.bucket", "b")), new UploadMemory(UploadMemory.defaultBudget()));
        try {
            S3Settings settings = ((S3BlobStore) stores.get("offsite")).settings();
            assertThat(settings.partSize()).isEqualTo(8L * MiB);
            assertThat(settings.maxPartSize()).isEqualTo(64L * MiB);
            assertThat(settings.uploadConcurrency()).isEqualTo(2);
            assertThat(settings.accessKeyId()).isEmpty();
            assertThat(settings.endpoint()).isEmpty();
        } finally {
            stores.close();
        }
    }
}
