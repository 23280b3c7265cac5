package dev.lifeboat.config;

import dev.lifeboat.pg.PgDump;
import dev.lifeboat.pg.PgTools;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The lifeboat.pg.* and lifeboat.encryption.* keys: defaults and parsing. */
class PgAndEncryptionConfigTest {

    @Test
    void defaults() {
        LifeboatConfig c = ConfigValidationTest.config(ConfigValidationTest.good());
        assertThat(c.pg().binDirs()).isEmpty();
        assertThat(new PgTools(c).binDirs()).isEqualTo(PgTools.defaultBinDirs());
        assertThat(c.pg().lockWaitTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.pg().dumpTimeout()).isEqualTo(Duration.ofHours(12));
        assertThat(c.pg().connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(PgDump.of(c.pg(), "00000003-0000001B-1").args())
                .containsExactly("--format=custom", "--no-password", "--lock-wait-timeout=300000", "--snapshot=00000003-0000001B-1");
        assertThat(c.encryption().recipients()).isEmpty();
        assertThat(c.encryption().identityFile()).isEmpty();
    }

    @Test
    void explicitValues() {
        Map<String, String> p = ConfigValidationTest.good();
        p.put("lifeboat.pg.bin-dirs", "/opt/pg/*/bin,/usr/local/bin");
        p.put("lifeboat.pg.lock-wait-timeout", "30s");
        p.put("lifeboat.encryption.recipients", "age1aaa,age1bbb");
        p.put("lifeboat.encryption.identity-file", "/secrets/age/key.txt");
        LifeboatConfig c = ConfigValidationTest.config(p);
        assertThat(new PgTools(c).binDirs()).containsExactly("/opt/pg/*/bin", "/usr/local/bin");
        assertThat(PgDump.of(c.pg(), null).args()).contains("--lock-wait-timeout=30000").noneMatch(a -> a.startsWith("--snapshot"));
        assertThat(c.encryption().recipients()).hasValue(List.of("age1aaa", "age1bbb"));
        assertThat(c.encryption().identityFile()).hasValue(Path.of("/secrets/age/key.txt"));
    }
}
