package dev.lifeboat.target;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import dev.lifeboat.config.ConfigCheck;
import dev.lifeboat.config.ConfigProblems;
import dev.lifeboat.config.LifeboatConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The configured targets, parsed and validated once at start-up (names, enums, defaults); the API and
 * job handlers look targets up here.
 */
@Startup
@ApplicationScoped
public class Targets {
    private static final Logger LOG = Logger.getLogger(Targets.class);
    /** Target names appear in object keys, job rows and metrics labels: keep them simple. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private final Map<String, Target> byName;

    /** Parses the targets; throws listing every problem when the configuration is invalid. */
    @Inject
    public Targets(LifeboatConfig config) {
        ConfigProblems problems = new ConfigProblems();
        byName = parse(config, problems);
        problems.throwIfAny();
        byName.values().stream().filter(t -> !t.passwordConfigured()).forEach(t -> LOG.warnf(
                "target %s has no password or password-file: Lifeboat will connect without a password"
                        + " (if you set password=${SOME_ENV_VAR}, that variable is unset)", t.name()));
    }

    /** The targets part of the start-up validation. */
    @ApplicationScoped
    public static class Check implements ConfigCheck {
        @Override
        public void check(LifeboatConfig config, ConfigProblems problems) {
            parse(config, problems);
        }
    }

    /** Every target that parses, by name; a problem for each thing wrong. */
    static Map<String, Target> parse(LifeboatConfig config, ConfigProblems problems) {
        Map<String, Target> targets = new TreeMap<>();
        config.targets().forEach((name, t) -> {
            Target target = parse(name, t, config, problems);
            if (target != null) {
                targets.put(name, target);
            }
        });
        return targets;
    }

    private static Target parse(String name, LifeboatConfig.Target t, LifeboatConfig config, ConfigProblems problems) {
        String key = "lifeboat.targets." + name;
        int before = problems.count();
        if (!NAME.matcher(name).matches()) {
            problems.add("target name '" + name + "' is not allowed. Hint: use lower-case letters, digits, '-' and '_' (at most 63), starting with a letter or digit");
        }
        if (t.database().isEmpty() || t.database().get().isBlank()) {
            problems.add(key + ".database is missing. Hint: set it to the name of the database to back up");
        }
        if (t.port() < 1 || t.port() > 65535) {
            problems.add(key + ".port=" + t.port() + " is not a TCP port");
        }
        Optional<Profile> profile = Profile.parse(t.profile());
        if (profile.isEmpty()) {
            problems.add(key + ".profile=" + t.profile() + " is unknown. Hint: use one of " + ids(Profile.values()));
        }
        Optional<DumpFormat> format = DumpFormat.parse(t.format());
        if (format.isEmpty()) {
            problems.add(key + ".format=" + t.format() + " is unknown. Hint: use one of " + ids(DumpFormat.values()));
        }
        if (t.jobs() < 1 || t.jobs() > 64) {
            problems.add(key + ".jobs=" + t.jobs() + " is out of range. Hint: 1 to 64 parallel pg_dump workers (directory format only)");
        } else if (t.jobs() > 1 && format.isPresent() && format.get() != DumpFormat.DIRECTORY) {
            problems.add(key + ".jobs=" + t.jobs() + " needs format=directory (pg_dump runs in parallel only with the directory format)");
        }
        Target.PasswordSource password = password(key, t, problems);
        List<String> storage = storage(key, t, config, problems);
        Target.RestoreOptions restore = restore(key, t, problems);
        Target.Schedule schedule = schedule(key, t, problems);
        RetentionRules retention = retention(key, t, problems);
        Tls tls = tls(key, t, problems);
        if (problems.count() > before) {
            return null;
        }
        return new Target(name, t.host(), t.port(), t.database().orElseThrow(), t.username(), List.copyOf(storage), profile.orElseThrow(),
                password, format.orElseThrow(), t.jobs(), t.globals(), restore, retention, schedule, tls);
    }

    private static Tls tls(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        Optional<Tls.Mode> mode = Tls.Mode.parse(t.sslmode());
        if (mode.isEmpty()) {
            problems.add(key + ".sslmode=" + t.sslmode() + " is unknown. Hint: disable, allow, prefer, require, verify-ca or verify-full");
            return Tls.DEFAULT;
        }
        if (t.sslrootcert().isPresent() && !Files.isReadable(t.sslrootcert().get())) {
            problems.add(key + ".sslrootcert " + t.sslrootcert().get() + " does not exist or is not readable");
        }
        if (mode.get().verifies() && t.sslrootcert().isEmpty()) {
            problems.add(key + ".sslmode=" + t.sslmode() + " needs sslrootcert: the CA certificate the server's certificate must chain to");
        }
        return new Tls(mode.get(), t.sslrootcert().orElse(null));
    }

    private static Target.PasswordSource password(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        if (t.password().isPresent() && t.passwordFile().isPresent()) {
            problems.add(key + " sets both password and password-file. Hint: keep one of them");
        } else if (t.password().isPresent()) {
            return new Target.PasswordSource.Literal(t.password().get());
        } else if (t.passwordFile().isPresent()) {
            if (!Files.isReadable(t.passwordFile().get())) {
                problems.add(key + ".password-file " + t.passwordFile().get() + " does not exist or is not readable");
            }
            return new Target.PasswordSource.File(t.passwordFile().get());
        }
        return new Target.PasswordSource.None();
    }

    /** The storages listed, or the only one there is. */
    private static List<String> storage(String key, LifeboatConfig.Target t, LifeboatConfig config, ConfigProblems problems) {
        Set<String> storages = config.storage().keySet();
        List<String> storage = new ArrayList<>();
        for (String s : t.storage().orElse(List.of())) {
            if (!s.isBlank()) {
                storage.add(s.trim());
            }
        }
        if (storage.isEmpty()) {
            if (storages.size() == 1) {
                storage.add(storages.iterator().next());
            } else if (storages.isEmpty()) {
                problems.add(key + ".storage: no storage is defined. Hint: define lifeboat.storage.<name>.type and path");
            } else {
                problems.add(key + ".storage is missing and several storages exist " + new TreeMap<>(config.storage()).keySet()
                        + ". Hint: list the ones this target uses, comma-separated");
            }
        }
        for (String s : storage) {
            if (!storages.contains(s)) {
                problems.add(key + ".storage names '" + s + "', which is not defined. Hint: define lifeboat.storage." + s + ".type"
                        + (storages.isEmpty() ? "" : " or use one of " + new TreeMap<>(config.storage()).keySet()));
            }
        }
        return storage;
    }

    private static Target.RestoreOptions restore(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        LifeboatConfig.TargetRestore r = t.restore();
        int jobs = r.jobs().orElse(t.jobs());
        if (jobs < 1 || jobs > 64) {
            problems.add(key + ".restore.jobs=" + jobs + " is out of range. Hint: 1 to 64 parallel pg_restore jobs");
        }
        if (r.role().isPresent() && r.role().get().isBlank()) {
            problems.add(key + ".restore.role is empty. Hint: omit it to restore as " + t.username());
        }
        Map.of("pre-restore", t.hooks().preRestore(), "post-restore", t.hooks().postRestore()).forEach((hook, url) -> {
            if (url.isPresent() && !ConfigProblems.isHttpUrl(url.get())) {
                problems.add(key + ".hooks." + hook + "=" + url.get() + " is not an http(s) URL");
            }
        });
        if (t.hooks().timeout().isNegative() || t.hooks().timeout().isZero()) {
            problems.add(key + ".hooks.timeout must be positive");
        }
        if (t.hooks().secret().isPresent() && t.hooks().secret().get().isBlank()) {
            problems.add(key + ".hooks.secret is empty (an env reference that resolved to nothing?). Hint: set it or leave it out");
        }
        return new Target.RestoreOptions(r.role().orElse(t.username()), r.keepOwners(), r.privileges(), jobs,
                t.hooks().preRestore().orElse(null), t.hooks().postRestore().orElse(null), t.hooks().timeout(),
                t.hooks().secret().orElse(null));
    }

    private static Target.Schedule schedule(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        Map.of("backup", t.schedule().backup(), "drill", t.schedule().drill()).forEach((kind, cron) -> {
            String problem = cron.map(Targets::cronProblem).orElse(null);
            if (problem != null) {
                problems.add(key + ".schedule." + kind + "=" + cron.get() + " is not a cron expression (" + problem
                        + "). Hint: Quartz syntax with seconds first, e.g. 0 0 3 * * ? for 03:00 daily");
            }
        });
        return new Target.Schedule(t.schedule().backup().orElse(null), t.schedule().drill().orElse(null));
    }

    private static RetentionRules retention(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        LifeboatConfig.TargetRetention ret = t.retention();
        Map.of("keep-last", ret.keepLast(), "keep-daily", ret.keepDaily(), "keep-weekly", ret.keepWeekly(),
                "keep-monthly", ret.keepMonthly(), "keep-yearly", ret.keepYearly()).forEach((rule, n) -> {
            if (n.isPresent() && (n.get() < 1 || n.get() > 100_000)) {
                problems.add(key + ".retention." + rule + "=" + n.get() + " is out of range. Hint: a count from 1 (leave it out to not use the rule)");
            }
        });
        if (ret.minAge().isPresent() && ret.minAge().get().isNegative()) {
            problems.add(key + ".retention.min-age must not be negative");
        }
        return RetentionRules.of(ret);
    }

    private static List<String> ids(Enum<?>[] values) {
        return Arrays.stream(values).map(v -> v.name().toLowerCase(Locale.ROOT)).toList();
    }

    private static final CronParser CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));

    /** What is wrong with a Quartz cron expression (as quarkus-scheduler reads it), or null. */
    public static String cronProblem(String expression) {
        try {
            CRON.parse(expression).validate();
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    public Optional<Target> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
    }

    public Collection<Target> all() {
        return byName.values();
    }

    public Set<String> names() {
        return byName.keySet();
    }
}
