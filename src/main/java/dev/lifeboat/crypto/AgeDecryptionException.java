package dev.lifeboat.crypto;

import java.io.IOException;

/**
 * An age file cannot be decrypted: none of the identities matches its recipients, or its header or
 * payload failed authentication (the file is corrupt, truncated or was modified). Never yields wrong
 * plaintext: each 64 KiB chunk is authenticated before any of its bytes are returned.
 */
public class AgeDecryptionException extends IOException {
    public AgeDecryptionException(String message, Throwable cause) {
        super(message, cause);
    }
}
