package dev.lifeboat.crypto;

import com.exceptionfactory.jagged.PayloadException;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;

import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Streaming encryption in the age format (<a href="https://age-encryption.org/v1">age-encryption.org/v1</a>)
 * to X25519 recipients, with the jagged library. The files are standard age files: anyone can decrypt a
 * backup with {@code age -d -i key.txt}, without Lifeboat.
 *
 * <p>Memory stays bounded whatever the size: age encrypts and authenticates the payload in 64 KiB
 * chunks. Encrypting needs only the public keys (recipients); decrypting needs an identity (private key).
 */
public final class AgeEncryption {
    static final String RECIPIENT_PREFIX = "age1";
    private static final int BUFFER = 64 * 1024;

    private AgeEncryption() {
    }

    /**
     * Returns a stream that encrypts what is written to it into {@code sink}. Closing it writes the last
     * (authenticated) chunk and closes {@code sink}; a stream that is not closed leaves a truncated file,
     * which decryption rejects.
     *
     * @param recipients age X25519 public keys ({@code age1…}); surrounding blanks are ignored
     * @throws AgeKeyException if there is no recipient or one is malformed (the message names it)
     */
    public static OutputStream encrypt(OutputStream sink, List<String> recipients) throws IOException {
        List<RecipientStanzaWriter> writers = parseRecipients(recipients);
        try {
            WritableByteChannel channel = new StandardEncryptingChannelFactory().newEncryptingChannel(Channels.newChannel(sink), writers);
            return new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot start age encryption: " + e.getMessage() + ". Hint: the JVM lacks X25519 or ChaCha20-Poly1305 support", e);
        }
    }

    /**
     * Checks recipients as {@link #encrypt} would (e.g. at start-up, from configuration).
     *
     * @throws AgeKeyException naming the first malformed recipient
     */
    public static void validateRecipients(List<String> recipients) {
        parseRecipients(recipients);
    }

    /** As {@link #decrypt(InputStream, AgeIdentities, String)}, naming the data {@code age file} in messages. */
    public static InputStream decrypt(InputStream source, AgeIdentities identities) throws IOException {
        return decrypt(source, identities, "age file");
    }

    /**
     * Returns a stream of the plaintext of the age file read from {@code source}. The header is read and
     * checked now; each payload chunk is authenticated before its bytes are returned, so a corrupt,
     * truncated or modified file fails with {@link AgeDecryptionException} while reading instead of yielding
     * wrong data (the bytes returned before the failure are authentic). Closing it closes {@code source}.
     *
     * @param what names the data in messages, e.g. {@code backup 0193… of target mastodon}
     * @throws AgeDecryptionException if no identity matches or the header fails authentication
     */
    public static InputStream decrypt(InputStream source, AgeIdentities identities, String what) throws IOException {
        ReadableByteChannel channel;
        try {
            channel = new StandardDecryptingChannelFactory().newDecryptingChannel(Channels.newChannel(source), identities.readers());
        } catch (GeneralSecurityException e) {
            if (String.valueOf(e.getMessage()).contains("Message Authentication Code")) {
                throw new AgeDecryptionException("the header of " + what + " failed authentication: it is corrupt or was modified ("
                        + e.getMessage() + "). Hint: verify the object's sha256 against the manifest and use another copy or backup", e);
            }
            throw new AgeDecryptionException("cannot decrypt " + what + ": no identity in " + identities.source()
                    + " matches its recipients (" + e.getMessage() + ")."
                    + " Hint: use the identity file whose public key (age-keygen -y FILE) was configured in"
                    + " lifeboat.encryption.recipients when the backup was made", e);
        } catch (PayloadException e) {
            throw authenticationFailed(what, e);
        }
        return new FilterInputStream(Channels.newInputStream(channel)) {
            @Override
            public int read() throws IOException {
                try {
                    return super.read();
                } catch (PayloadException e) {
                    throw authenticationFailed(what, e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    return super.read(b, off, len);
                } catch (PayloadException e) {
                    throw authenticationFailed(what, e);
                }
            }
        };
    }

    private static AgeDecryptionException authenticationFailed(String what, PayloadException e) {
        return new AgeDecryptionException(what + " failed authentication: it is corrupt, truncated or was modified ("
                + e.getMessage() + "). Hint: verify the object's sha256 against the manifest and use another copy or backup", e);
    }

    private static List<RecipientStanzaWriter> parseRecipients(List<String> recipients) {
        if (recipients == null || recipients.isEmpty()) {
            throw new AgeKeyException("no age recipient is given. Hint: set lifeboat.encryption.recipients to one or more"
                    + " age1… public keys (age-keygen -y key.txt prints one)");
        }
        List<RecipientStanzaWriter> writers = new ArrayList<>();
        for (String raw : recipients) {
            String r = raw == null ? "" : raw.strip();
            if (r.startsWith(AgeIdentities.SECRET_KEY_PREFIX)) {
                // Never echo it: it is a private key.
                throw new AgeKeyException("an age recipient is a private key (AGE-SECRET-KEY-1…), not a public key."
                        + " Hint: configure the age1… line printed by age-keygen -y, and keep the private key out of Lifeboat's backup configuration");
            }
            if (!r.startsWith(RECIPIENT_PREFIX)) {
                throw new AgeKeyException("age recipient '" + r + "' is not an X25519 public key (expected age1…;"
                        + " SSH and plugin recipients are not supported). Hint: print one with age-keygen -y key.txt");
            }
            try {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(r));
            } catch (GeneralSecurityException | RuntimeException e) {
                throw new AgeKeyException("age recipient '" + r + "' is not a valid X25519 public key (" + e.getMessage()
                        + "). Hint: copy the whole age1… line printed by age-keygen -y key.txt", e);
            }
        }
        return writers;
    }
}
