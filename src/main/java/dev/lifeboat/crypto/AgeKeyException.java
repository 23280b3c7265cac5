package dev.lifeboat.crypto;

/**
 * An age recipient or identity is malformed or missing: a configuration error that retrying cannot
 * fix. Messages name the recipient (a public key) or the identity file and line, never a secret key.
 */
public class AgeKeyException extends IllegalArgumentException {
    public AgeKeyException(String message) {
        super(message);
    }

    public AgeKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
