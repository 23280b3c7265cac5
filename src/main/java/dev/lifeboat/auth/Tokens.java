package dev.lifeboat.auth;

import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The API tokens of {@code lifeboat.auth.tokens.*}. Only SHA-256 hashes are configured; a presented
 * token is hashed and compared with every configured hash in constant time, without stopping at the
 * first match, so timing reveals neither which token matched nor how much of it.
 */
@Startup
@ApplicationScoped
public class Tokens {
    private static final Logger LOG = Logger.getLogger(Tokens.class);
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-fA-F]{64}");

    /** Who called: the configured token name and its role. */
    public record Caller(String tokenName, Role role) {
    }

    private record Entry(String name, byte[] hash, Role role) {
    }

    private final List<Entry> entries;

    /** Parses the tokens; throws listing every problem when the configuration is invalid. */
    @Inject
    public Tokens(LifeboatConfig config) {
        ConfigProblems problems = new ConfigProblems();
        entries = parse(config, problems);
        problems.throwIfAny();
        if (entries.isEmpty()) {
            LOG.warn("no API tokens are configured (lifeboat.auth.tokens.*): every /api request will be refused with 401");
        }
    }

    /** The tokens part of the start-up validation. */
    @ApplicationScoped
    public static class Check implements ConfigCheck {
        @Override
        public void check(LifeboatConfig config, ConfigProblems problems) {
            parse(config, problems);
        }
    }

    private static List<Entry> parse(LifeboatConfig config, ConfigProblems problems) {
        List<Entry> entries = new ArrayList<>();
        config.auth().tokens().forEach((name, t) -> {
            String key = "lifeboat.auth.tokens." + name;
            Optional<Role> role = Role.parse(t.role());
            if (role.isEmpty()) {
                problems.add(key + ".role=" + t.role() + " is unknown. Hint: use viewer, operator or admin");
            }
            if (!HASH.matcher(t.hash()).matches()) {
                problems.add(key + ".hash must be sha256:<64 hex digits>. Hint: printf %s \"$TOKEN\" | sha256sum");
            }
            if (role.isPresent() && HASH.matcher(t.hash()).matches()) {
                entries.add(new Entry(name, HexFormat.of().parseHex(t.hash().substring(7).toLowerCase(Locale.ROOT)), role.get()));
            }
        });
        return List.copyOf(entries);
    }

    public Optional<Caller> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        byte[] presented = sha256(token);
        Entry match = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(presented, e.hash()) && match == null) {
                match = e;
            }
        }
        return match == null ? Optional.empty() : Optional.of(new Caller(match.name(), match.role()));
    }

    static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
