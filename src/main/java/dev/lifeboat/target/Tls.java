package dev.lifeboat.target;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How Lifeboat's connections to a target's server use TLS ({@code lifeboat.targets.<name>.sslmode} and
 * {@code sslrootcert}): the same for its own JDBC connections and for every PostgreSQL tool it runs.
 *
 * @param mode     libpq's sslmode
 * @param rootCert the CA certificate(s) the server's certificate must chain to (verify-ca, verify-full), or null
 */
public record Tls(Mode mode, Path rootCert) {
    public static final Tls DEFAULT = new Tls(Mode.PREFER, null);

    /** libpq's sslmode values, with the same meaning. */
    public enum Mode {
        /** No TLS. */
        DISABLE,
        /** Plain first; TLS only if the server insists. */
        ALLOW,
        /** TLS if the server offers it, without checking its certificate (libpq's default). */
        PREFER,
        /** TLS or no connection; the certificate is not checked (unless a root certificate is given). */
        REQUIRE,
        /** TLS, and the server's certificate must chain to {@code sslrootcert}. */
        VERIFY_CA,
        /** As verify-ca, and the certificate must name the host Lifeboat connects to. */
        VERIFY_FULL;

        /** {@code verify-full}, … as libpq and the JDBC driver spell it. */
        public String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public boolean verifies() {
            return this == VERIFY_CA || this == VERIFY_FULL;
        }

        public static Optional<Mode> parse(String id) {
            return Arrays.stream(values()).filter(m -> m.id().equals(id)).findFirst();
        }
    }
}
