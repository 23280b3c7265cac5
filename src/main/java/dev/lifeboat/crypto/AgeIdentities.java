package dev.lifeboat.crypto;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * age X25519 identities (private keys), as read from an identity file made by {@code age-keygen}:
 * one {@code AGE-SECRET-KEY-1…} per line, blank lines and {@code #} comments allowed. The keys stay
 * inside; {@link #toString()} shows only where they came from and how many there are.
 */
public final class AgeIdentities {
    static final String SECRET_KEY_PREFIX = "AGE-SECRET-KEY-1";

    private final String source;
    private final List<RecipientStanzaReader> readers;

    private AgeIdentities(String source, List<RecipientStanzaReader> readers) {
        this.source = source;
        this.readers = List.copyOf(readers);
    }

    /**
     * Reads an identity file.
     *
     * @throws AgeKeyException if the file holds no identity or a line that is not one (the message names the line, not its text)
     */
    public static AgeIdentities fromFile(Path file) throws IOException {
        if (!Files.isReadable(file)) {
            throw new AgeKeyException("age identity file " + file + " does not exist or is not readable."
                    + " Hint: check lifeboat.encryption.identity-file and that the Secret is mounted");
        }
        return parse(Files.readString(file, StandardCharsets.UTF_8), "age identity file " + file);
    }

    /** Parses identity-file text; {@code source} names it in messages (e.g. {@code age identity file /keys/age.txt}). */
    public static AgeIdentities parse(String text, String source) {
        List<RecipientStanzaReader> readers = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            if (line.startsWith("age1")) {
                throw new AgeKeyException(where + " is a recipient (public key), not an identity."
                        + " Hint: use the file written by age-keygen, which holds the AGE-SECRET-KEY-1… line");
            }
            if (!line.startsWith(SECRET_KEY_PREFIX)) {
                throw new AgeKeyException(where + " is not an age X25519 identity (expected " + SECRET_KEY_PREFIX
                        + "…; plugin and SSH identities are not supported). Hint: create one with age-keygen -o FILE");
            }
            try {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(line));
            } catch (GeneralSecurityException | RuntimeException e) {
                // The exception text may quote the key: don't pass it on.
                throw new AgeKeyException(where + " is not a valid age X25519 identity (bad encoding or checksum)."
                        + " Hint: copy the whole AGE-SECRET-KEY-1… line written by age-keygen");
            }
        }
        if (readers.isEmpty()) {
            throw new AgeKeyException(source + " holds no identity. Hint: it should contain an AGE-SECRET-KEY-1… line,"
                    + " as written by age-keygen -o FILE");
        }
        return new AgeIdentities(source, readers);
    }

    /** Where the identities came from, for messages. */
    public String source() {
        return source;
    }

    public int size() {
        return readers.size();
    }

    List<RecipientStanzaReader> readers() {
        return readers;
    }

    @Override
    public String toString() {
        return "AgeIdentities[" + readers.size() + " from " + source + "]";
    }
}
