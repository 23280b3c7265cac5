package dev.lifeboat.crypto;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** age encryption with jagged, checked against the real age CLI (Debian package {@code age}). */
class AgeEncryptionTest {

    @TempDir
    static Path dir;
    static Path keyFile;
    static String recipient;
    static Path otherKeyFile;
    static String otherRecipient;

    @BeforeAll
    static void keys() throws Exception {
        keyFile = dir.resolve("key.txt");
        run(null, "age-keygen", "-o", keyFile.toString());
        recipient = new String(run(null, "age-keygen", "-y", keyFile.toString()), StandardCharsets.UTF_8).strip();
        otherKeyFile = dir.resolve("other.txt");
        run(null, "age-keygen", "-o", otherKeyFile.toString());
        otherRecipient = new String(run(null, "age-keygen", "-y", otherKeyFile.toString()), StandardCharsets.UTF_8).strip();
        assertThat(recipient).startsWith("age1");
        assertThat(Files.readString(keyFile)).contains("# public key: " + recipient); // comments in the identity file
    }

    @Test
    void roundTripsEmptySmallAndMultiMegabyteData() throws Exception {
        AgeIdentities identities = AgeIdentities.fromFile(keyFile);
        for (byte[] plain : List.of(new byte[0], "hello, lifeboat".getBytes(StandardCharsets.UTF_8), random(5 * 1024 * 1024 + 123))) {
            byte[] cipher = encrypt(plain, List.of(recipient));
            assertThat(cipher).startsWith("age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(decrypt(cipher, identities)).isEqualTo(plain);
        }
    }

    @Test
    void encryptionStreamsInBoundedChunksAndClosesTheSink() throws Exception {
        boolean[] closed = {false};
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        byte[] block = random(8192);
        try (OutputStream out = AgeEncryption.encrypt(sink, List.of(recipient))) {
            for (int i = 0; i < 128; i++) { // 1 MiB
                out.write(block);
            }
            // All but the last buffer and chunk (64 KiB each) is already encrypted and passed on.
            assertThat(sink.size()).isGreaterThan(1024 * 1024 - 2 * 65536 - 1);
            assertThat(closed[0]).isFalse();
        }
        assertThat(closed[0]).isTrue();
        assertThat(sink.size()).isGreaterThan(1024 * 1024);
    }

    @Test
    void lifeboatOutputDecryptsWithTheAgeCli() throws Exception {
        byte[] plain = random(300_000);
        byte[] cipher = encrypt(plain, List.of(otherRecipient, recipient)); // several recipients: any one can decrypt
        Path f = dir.resolve("by-lifeboat.age");
        Files.write(f, cipher);
        assertThat(run(null, "age", "-d", "-i", keyFile.toString(), f.toString())).isEqualTo(plain);
        assertThat(run(null, "age", "-d", "-i", otherKeyFile.toString(), f.toString())).isEqualTo(plain);
    }

    @Test
    void ageCliOutputDecryptsWithLifeboat() throws Exception {
        byte[] plain = random(200_000);
        byte[] cipher = run(plain, "age", "-r", recipient);
        assertThat(decrypt(cipher, AgeIdentities.fromFile(keyFile))).isEqualTo(plain);
    }

    @Test
    void aWrongIdentityFailsClearly() throws Exception {
        byte[] cipher = encrypt("secret".getBytes(StandardCharsets.UTF_8), List.of(recipient));
        AgeIdentities wrong = AgeIdentities.fromFile(otherKeyFile);
        assertThatThrownBy(() -> AgeEncryption.decrypt(new ByteArrayInputStream(cipher), wrong, "backup b1 of target alpha"))
                .isInstanceOf(AgeDecryptionException.class)
                .hasMessageContaining("cannot decrypt backup b1 of target alpha: no identity in age identity file " + otherKeyFile
                        + " matches its recipients")
                .hasMessageContaining("Hint:");
    }

    @Test
    void aFlippedPayloadByteFailsAuthenticationInsteadOfYieldingWrongData() throws Exception {
        byte[] plain = random(3 * 65536 + 100); // four chunks
        byte[] cipher = encrypt(plain, List.of(recipient));
        byte[] tampered = cipher.clone();
        tampered[tampered.length - 2 * 65536] ^= 0x01; // inside the third chunk
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        assertThatThrownBy(() -> {
            try (InputStream in = AgeEncryption.decrypt(new ByteArrayInputStream(tampered), AgeIdentities.fromFile(keyFile))) {
                in.transferTo(got);
            }
        }).isInstanceOf(AgeDecryptionException.class).hasMessageContaining("failed authentication");
        // What came out before the failure is authentic: a prefix of the plaintext, never altered bytes.
        assertThat(got.size()).isLessThan(plain.length);
        assertThat(got.toByteArray()).isEqualTo(Arrays.copyOf(plain, got.size()));
    }

    @Test
    void aFlippedHeaderByteOrATruncatedFileFails() throws Exception {
        byte[] cipher = encrypt(random(100_000), List.of(recipient));
        AgeIdentities identities = AgeIdentities.fromFile(keyFile);
        byte[] header = cipher.clone();
        int mac = indexOf(header, "\n--- ".getBytes(StandardCharsets.US_ASCII)) + 6;
        header[mac] = (byte) (header[mac] == 'A' ? 'B' : 'A'); // the header MAC
        assertThatThrownBy(() -> decrypt(header, identities)).isInstanceOf(AgeDecryptionException.class)
                .hasMessageContaining("the header of age file failed authentication");

        byte[] truncated = Arrays.copyOf(cipher, cipher.length - 10);
        assertThatThrownBy(() -> decrypt(truncated, identities)).isInstanceOf(AgeDecryptionException.class)
                .hasMessageContaining("failed authentication");
        byte[] cutAtChunk = Arrays.copyOf(cipher, cipher.length - (cipher.length - indexOf(cipher, "\n--- ".getBytes(StandardCharsets.US_ASCII))) + 100);
        assertThatThrownBy(() -> decrypt(cutAtChunk, identities)).isInstanceOf(AgeDecryptionException.class);
    }

    @Test
    void badRecipientsAreNamed() {
        assertThatThrownBy(() -> AgeEncryption.encrypt(new ByteArrayOutputStream(), List.of(recipient, "age1notakey")))
                .isInstanceOf(AgeKeyException.class)
                .hasMessageContaining("age recipient 'age1notakey' is not a valid X25519 public key")
                .hasMessageContaining("Hint:");
        assertThatThrownBy(() -> AgeEncryption.validateRecipients(List.of("ssh-ed25519 AAAAC3Nz")))
                .hasMessageContaining("age recipient 'ssh-ed25519 AAAAC3Nz' is not an X25519 public key");
        assertThatThrownBy(() -> AgeEncryption.validateRecipients(List.of()))
                .hasMessageContaining("no age recipient");
        String secret = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
        assertThatThrownBy(() -> AgeEncryption.validateRecipients(List.of(secret)))
                .hasMessageContaining("is a private key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(secret));
    }

    @Test
    void identityFilesAllowCommentsAndBadLinesAreNamedWithoutTheirText() throws Exception {
        String key = Files.readAllLines(keyFile).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-1")).findFirst().orElseThrow();
        AgeIdentities two = AgeIdentities.parse("# mine\n\n" + key + "\n  # other\n"
                + Files.readString(otherKeyFile), "test identities");
        assertThat(two.size()).isEqualTo(2);
        assertThat(two.toString()).doesNotContain("AGE-SECRET-KEY");
        assertThat(decrypt(encrypt(new byte[] {1, 2, 3}, List.of(otherRecipient)), two)).containsExactly(1, 2, 3);

        String broken = key.substring(0, key.length() - 3) + "QQQ";
        assertThatThrownBy(() -> AgeIdentities.parse("# comment\n" + broken + "\n", "age identity file /keys/x.txt"))
                .isInstanceOf(AgeKeyException.class)
                .hasMessageContaining("age identity file /keys/x.txt line 2 is not a valid age X25519 identity")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(broken.substring(20)));
        assertThatThrownBy(() -> AgeIdentities.parse(recipient + "\n", "f")).hasMessageContaining("f line 1 is a recipient");
        assertThatThrownBy(() -> AgeIdentities.parse("# only comments\n", "f")).hasMessageContaining("f holds no identity");
        assertThatThrownBy(() -> AgeIdentities.fromFile(dir.resolve("missing.txt"))).hasMessageContaining("does not exist");
    }

    static byte[] encrypt(byte[] plain, List<String> recipients) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream out = AgeEncryption.encrypt(sink, recipients)) {
            out.write(plain);
        }
        return sink.toByteArray();
    }

    static byte[] decrypt(byte[] cipher, AgeIdentities identities) throws IOException {
        try (InputStream in = AgeEncryption.decrypt(new ByteArrayInputStream(cipher), identities)) {
            return in.readAllBytes();
        }
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Runs a CLI (age, age-keygen) with {@code stdin}, returning stdout; fails on a non-zero exit. */
    static byte[] run(byte[] stdin, String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(dir.resolve("stderr.txt").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " is not installed. Hint: scripts/pg-setup.sh installs the Debian package age", e);
        }
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin);
                }
            } catch (IOException ignored) {
                // the process ended early; its exit code tells
            }
        });
        feeder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        feeder.join();
        assertThat(p.exitValue()).as(() -> String.join(" ", cmd) + ": " + readQuietly(dir.resolve("stderr.txt"))).isZero();
        return out;
    }

    static String readQuietly(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }
}
