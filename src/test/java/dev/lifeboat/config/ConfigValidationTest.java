package dev.lifeboat.config;

import dev.lifeboat.auth.Tokens;
import dev.lifeboat.backup.AnomalyConfigCheck;
import dev.lifeboat.notify.NotificationConfigCheck;
import dev.lifeboat.storage.StorageConfigCheck;
import dev.lifeboat.target.Compression;
import dev.lifeboat.target.DumpFormat;
import dev.lifeboat.target.Targets;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up validation of targets, storages and tokens: every problem listed, with a hint. */
class ConfigValidationTest {
    /** Every package's check, as the running service collects them. */
    static final List<ConfigCheck> ALL_CHECKS = List.of(new Tokens.Check(), new StorageConfigCheck(), new Targets.Check(),
            new NotificationConfigCheck(), new AnomalyConfigCheck());

    static LifeboatConfig config(Map<String, String> props) {
        SmallRyeConfig c = new SmallRyeConfigBuilder()
                .withMapping(LifeboatConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 100, new io.quarkus.runtime.configuration.MemorySizeConverter())
                .withSources(new PropertiesConfigSource(props, "test", 500))
                .build();
        return c.getConfigMapping(LifeboatConfig.class);
    }

    static Map<String, String> good() {
        Map<String, String> p = new HashMap<>();
        p.put("lifeboat.storage.local.type", "filesystem");
        p.put("lifeboat.storage.local.path", "/tmp/x");
        p.put("lifeboat.targets.mastodon.database", "mastodon_production");
        p.put("lifeboat.targets.mastodon.password", "s3cret");
        return p;
    }

    @Test
    void aGoodConfigurationDefaultsToTheOnlyStorage() {
        Targets t = new Targets(config(good()));
        assertThat(t.find("mastodon").orElseThrow().storage()).containsExactly("local");
        assertThat(t.find("mastodon").orElseThrow().toString()).doesNotContain("s3cret");
        ConfigValidation.validate(config(good()), List.of(new StorageConfigCheck()));
    }

    @Test
    void operationsSettingsAreCheckedAtStartUp() {
        Map<String, String> p = good();
        p.put("lifeboat.targets.mastodon.schedule.backup", "0 3 * * *");
        p.put("lifeboat.targets.mastodon.schedule.drill", "0 0 5 ? * SUN");
        p.put("lifeboat.targets.mastodon.retention.keep-daily", "0");
        p.put("lifeboat.targets.mastodon.restore.jobs", "65");
        p.put("lifeboat.targets.mastodon.hooks.pre-restore", "ftp://example.org/stop");
        p.put("lifeboat.notifications.webhooks.ops.url", "file:///etc/passwd");
        p.put("lifeboat.notifications.webhooks.ops.events", "job.failed,job.exploded");
        assertThatThrownBy(() -> ConfigValidation.validate(config(p), ALL_CHECKS))
                .hasMessageContaining("lifeboat.targets.mastodon.schedule.backup=0 3 * * * is not a cron expression")
                .hasMessageContaining("retention.keep-daily=0 is out of range")
                .hasMessageContaining("restore.jobs=65 is out of range")
                .hasMessageContaining("hooks.pre-restore=ftp://example.org/stop is not an http(s) URL")
                .hasMessageContaining("lifeboat.notifications.webhooks.ops.url is not an http(s) URL")
                .hasMessageContaining("names 'job.exploded', which is not an event")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("schedule.drill"));
    }

    @Test
    void targetProblemsAreAllListed() {
        Map<String, String> p = good();
        p.put("lifeboat.targets.broken.storage", "nas,local");
        p.put("lifeboat.targets.broken.profile", "pleroma");
        p.put("lifeboat.targets.broken.password", "a");
        p.put("lifeboat.targets.broken.password-file", "/nonexistent/pw");
        p.put("lifeboat.targets.Bad Name.database", "x");
        assertThatThrownBy(() -> new Targets(config(p)))
                .hasMessageContaining("lifeboat.targets.broken.database is missing")
                .hasMessageContaining("lifeboat.targets.broken.storage names 'nas', which is not defined")
                .hasMessageContaining("profile=pleroma is unknown")
                .hasMessageContaining("sets both password and password-file")
                .hasMessageContaining("target name 'Bad Name' is not allowed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("'local', which is not defined"));
    }

    @Test
    void backupFormatAndParallelJobsAreChecked() {
        Map<String, String> p = good();
        p.put("lifeboat.targets.mastodon.format", "tar");
        p.put("lifeboat.targets.plain.database", "x");
        p.put("lifeboat.targets.plain.jobs", "4");
        p.put("lifeboat.targets.many.database", "x");
        p.put("lifeboat.targets.many.format", "directory");
        p.put("lifeboat.targets.many.jobs", "65");
        assertThatThrownBy(() -> new Targets(config(p)))
                .hasMessageContaining("lifeboat.targets.mastodon.format=tar is unknown. Hint: use one of [custom, directory]")
                .hasMessageContaining("lifeboat.targets.plain.jobs=4 needs format=directory")
                .hasMessageContaining("lifeboat.targets.many.jobs=65 is out of range");
        Map<String, String> ok = good();
        ok.put("lifeboat.targets.mastodon.format", "directory");
        ok.put("lifeboat.targets.mastodon.jobs", "4");
        ok.put("lifeboat.targets.mastodon.globals", "true");
        var t = new Targets(config(ok)).find("mastodon").orElseThrow();
        assertThat(t.format()).isEqualTo(DumpFormat.DIRECTORY);
        assertThat(t.jobs()).isEqualTo(4);
        assertThat(t.globals()).isTrue();
    }

    @Test
    void compressionIsZstdOnEveryCoreByDefaultAndItsSettingsAreChecked() {
        var t = new Targets(config(good())).find("mastodon").orElseThrow();
        assertThat(t.compression().algorithm()).isEqualTo(Compression.Algorithm.ZSTD);
        assertThat(t.compression().zstdLevel()).isEqualTo(Compression.DEFAULT_ZSTD_LEVEL);
        assertThat(t.compression().threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(t.compression().pgDumpArgs()).containsExactly("--compress=0");

        Map<String, String> p = good();
        p.put("lifeboat.targets.mastodon.compression", "lz4");
        p.put("lifeboat.targets.plain.database", "x");
        p.put("lifeboat.targets.plain.compression-level", "22");
        p.put("lifeboat.targets.gz.database", "x");
        p.put("lifeboat.targets.gz.compression", "gzip");
        p.put("lifeboat.targets.gz.compression-threads", "4");
        p.put("lifeboat.targets.raw.database", "x");
        p.put("lifeboat.targets.raw.compression", "none");
        p.put("lifeboat.targets.raw.compression-level", "3");
        assertThatThrownBy(() -> new Targets(config(p)))
                .hasMessageContaining("lifeboat.targets.mastodon.compression=lz4 is unknown. Hint: use one of [zstd, gzip, none]")
                .hasMessageContaining("lifeboat.targets.plain.compression-level=22 is out of range. Hint: zstd levels 1 (fastest) to 19")
                .hasMessageContaining("lifeboat.targets.gz.compression-threads=4 needs compression=zstd")
                .hasMessageContaining("lifeboat.targets.raw.compression-level=3 is set, but compression=none");

        Map<String, String> ok = good();
        ok.put("lifeboat.targets.mastodon.compression", "gzip");
        ok.put("lifeboat.targets.mastodon.compression-level", "9");
        ok.put("lifeboat.targets.plain.database", "x");
        ok.put("lifeboat.targets.plain.compression-level", "6");
        ok.put("lifeboat.targets.plain.compression-threads", "2");
        Targets targets = new Targets(config(ok));
        assertThat(targets.find("mastodon").orElseThrow().compression().pgDumpArgs()).containsExactly("--compress=9");
        Compression plain = targets.find("plain").orElseThrow().compression();
        assertThat(plain.zstdLevel()).isEqualTo(6);
        assertThat(plain.threads()).isEqualTo(2);
    }

    @Test
    void storageProblemsAreListed() {
        Map<String, String> p = good();
        p.put("lifeboat.storage.tape.type", "tape");
        p.put("lifeboat.storage.disk.type", "filesystem");
        p.put("lifeboat.storage.cloud.type", "s3");
        p.put("lifeboat.storage.cloud.endpoint", "minio:9000");
        p.put("lifeboat.storage.cloud.access-key-id", "AKIA");
        p.put("lifeboat.storage.cloud.part-size", "1M");
        p.put("lifeboat.storage.cloud.upload-concurrency", "0");
        p.put("lifeboat.storage.cloud.prefix", "/backups/../etc/");
        assertThatThrownBy(() -> ConfigValidation.validate(config(p), List.of(new StorageConfigCheck())))
                .hasMessageContaining("lifeboat.storage.tape.type=tape is unknown")
                .hasMessageContaining("lifeboat.storage.disk.path is missing")
                .hasMessageContaining("lifeboat.storage.cloud.bucket is missing")
                .hasMessageContaining("endpoint=minio:9000 is not an http(s) URL")
                .hasMessageContaining("access-key-id and secret-access-key go together")
                .hasMessageContaining("lifeboat.storage.cloud.part-size=1048576 bytes is outside 5M..1G")
                .hasMessageContaining("lifeboat.storage.cloud.upload-concurrency=0 is outside 1..64")
                .hasMessageContaining("lifeboat.storage.cloud.prefix=/backups/../etc/ is not a valid key path");
    }

    @Test
    void tlsSettingsAreChecked() {
        Map<String, String> p = good();
        p.put("lifeboat.targets.mastodon.sslmode", "verify-fully");
        p.put("lifeboat.targets.strict.database", "x");
        p.put("lifeboat.targets.strict.sslmode", "verify-full");
        p.put("lifeboat.targets.rooted.database", "x");
        p.put("lifeboat.targets.rooted.sslmode", "verify-ca");
        p.put("lifeboat.targets.rooted.sslrootcert", "/nonexistent/ca.crt");
        assertThatThrownBy(() -> new Targets(config(p)))
                .hasMessageContaining("lifeboat.targets.mastodon.sslmode=verify-fully is unknown")
                .hasMessageContaining("lifeboat.targets.strict.sslmode=verify-full needs sslrootcert")
                .hasMessageContaining("lifeboat.targets.rooted.sslrootcert /nonexistent/ca.crt does not exist");
        assertThat(new Targets(config(good())).find("mastodon").orElseThrow().tls().mode().id()).isEqualTo("prefer");
    }

    @Test
    void aMissingPasswordFileIsReported() {
        Map<String, String> p = good();
        p.remove("lifeboat.targets.mastodon.password");
        p.put("lifeboat.targets.mastodon.password-file", "/nonexistent/secret");
        assertThatThrownBy(() -> new Targets(config(p))).hasMessageContaining("/nonexistent/secret does not exist");
    }

    @Test
    void severalStoragesNeedAnExplicitList() {
        Map<String, String> p = good();
        p.put("lifeboat.storage.offsite.type", "s3");
        p.put("lifeboat.storage.offsite.bucket", "b");
        assertThatThrownBy(() -> new Targets(config(p))).hasMessageContaining("storage is missing and several storages exist");
    }

    @Test
    void tokensNeedAHashAndAKnownRole() {
        Map<String, String> p = good();
        p.put("lifeboat.auth.tokens.ci.hash", "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
        p.put("lifeboat.auth.tokens.ci.role", "root");
        assertThatThrownBy(() -> new Tokens(config(p)))
                .hasMessageContaining("lifeboat.auth.tokens.ci.role=root is unknown")
                .hasMessageContaining("lifeboat.auth.tokens.ci.hash must be sha256:<64 hex digits>");
    }

    @Test
    void tokensAuthenticateByHashOnly() {
        Map<String, String> p = good();
        p.put("lifeboat.auth.tokens.ci.hash", "sha256:5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
        p.put("lifeboat.auth.tokens.ci.role", "operator");
        Tokens tokens = new Tokens(config(p));
        assertThat(tokens.authenticate("password")).hasValueSatisfying(c -> {
            assertThat(c.tokenName()).isEqualTo("ci");
            assertThat(c.role()).isEqualTo(dev.lifeboat.auth.Role.OPERATOR);
        });
        assertThat(tokens.authenticate("Password")).isEmpty();
        assertThat(tokens.authenticate("")).isEmpty();
        assertThat(tokens.authenticate(null)).isEmpty();
    }

    @Test
    void everyProblemIsListedInOneFailure() {
        Map<String, String> p = good();
        p.put("lifeboat.auth.tokens.ci.hash", "nope");
        p.put("lifeboat.auth.tokens.ci.role", "viewer");
        p.put("lifeboat.storage.tape.type", "tape");
        p.put("lifeboat.targets.mastodon.storage", "nas");
        assertThatThrownBy(() -> ConfigValidation.validate(config(p), ALL_CHECKS))
                .hasMessageContaining("lifeboat.auth.tokens.ci.hash")
                .hasMessageContaining("lifeboat.storage.tape.type=tape")
                .hasMessageContaining("storage names 'nas'");
    }
}
