package dev.lifeboat.target;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.config.ConfigProblems;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** The configured targets, validated once; the API and job handlers look targets up here. */
@Startup
@ApplicationScoped
public class Targets {
    /** Target names appear in object keys, job rows and metrics labels: keep them simple. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
    public static final Set<String> PROFILES = Set.of("generic", "mastodon");

    private final Map<String, Target> byName = new TreeMap<>();

    @Inject
    public Targets(LifeboatConfig config) {
        this(config, null);
    }

    /** Validates into {@code collect} when given (see {@link dev.lifeboat.config.ConfigValidation}), else throws. */
    public Targets(LifeboatConfig config, ConfigProblems collect) {
        ConfigProblems problems = collect == null ? new ConfigProblems() : collect;
        Set<String> storages = config.storage().keySet();
        config.targets().forEach((name, t) -> {
            String key = "lifeboat.targets." + name;
            if (!NAME.matcher(name).matches()) {
                problems.add("target name '" + name + "' is not allowed. Hint: use lower-case letters, digits, '-' and '_' (at most 63), starting with a letter or digit");
            }
            if (t.database().isEmpty() || t.database().get().isBlank()) {
                problems.add(key + ".database is missing. Hint: set it to the name of the database to back up");
            }
            if (t.port() < 1 || t.port() > 65535) {
                problems.add(key + ".port=" + t.port() + " is not a TCP port");
            }
            if (!PROFILES.contains(t.profile())) {
                problems.add(key + ".profile=" + t.profile() + " is unknown. Hint: use one of " + PROFILES);
            }
            if (!Target.FORMATS.contains(t.format())) {
                problems.add(key + ".format=" + t.format() + " is unknown. Hint: use one of " + Target.FORMATS);
            }
            if (t.jobs() < 1 || t.jobs() > 64) {
                problems.add(key + ".jobs=" + t.jobs() + " is out of range. Hint: 1 to 64 parallel pg_dump workers (directory format only)");
            } else if (t.jobs() > 1 && !"directory".equals(t.format())) {
                problems.add(key + ".jobs=" + t.jobs() + " needs format=directory (pg_dump runs in parallel only with the directory format)");
            }
            Target.PasswordSource pw = new Target.PasswordSource.None();
            if (t.password().isPresent() && t.passwordFile().isPresent()) {
                problems.add(key + " sets both password and password-file. Hint: keep one of them");
            } else if (t.password().isPresent()) {
                pw = new Target.PasswordSource.Literal(t.password().get());
            } else if (t.passwordFile().isPresent()) {
                pw = new Target.PasswordSource.File(t.passwordFile().get());
                if (!Files.isReadable(t.passwordFile().get())) {
                    problems.add(key + ".password-file " + t.passwordFile().get() + " does not exist or is not readable");
                }
            }
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
            var r = t.restore();
            if (r.jobs() < 1 || r.jobs() > 64) {
                problems.add(key + ".restore.jobs=" + r.jobs() + " is out of range. Hint: 1 to 64 parallel pg_restore jobs");
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
            Map.of("backup", t.schedule().backup(), "drill", t.schedule().drill()).forEach((kind, cron) -> {
                String problem = cron.map(Targets::cronProblem).orElse(null);
                if (problem != null) {
                    problems.add(key + ".schedule." + kind + "=" + cron.get() + " is not a cron expression (" + problem
                            + "). Hint: Quartz syntax with seconds first, e.g. 0 0 3 * * ? for 03:00 daily");
                }
            });
            var ret = t.retention();
            Map.of("keep-last", ret.keepLast(), "keep-daily", ret.keepDaily(), "keep-weekly", ret.keepWeekly(),
                    "keep-monthly", ret.keepMonthly(), "keep-yearly", ret.keepYearly()).forEach((rule, n) -> {
                if (n.isPresent() && (n.get() < 1 || n.get() > 100_000)) {
                    problems.add(key + ".retention." + rule + "=" + n.get() + " is out of range. Hint: a count from 1 (leave it out to not use the rule)");
                }
            });
            if (ret.minAge().isPresent() && ret.minAge().get().isNegative()) {
                problems.add(key + ".retention.min-age must not be negative");
            }
            Target.RestoreOptions restore = new Target.RestoreOptions(r.role().orElse(t.username()), r.keepOwners(), r.privileges(),
                    r.jobs(), t.hooks().preRestore().orElse(null), t.hooks().postRestore().orElse(null), t.hooks().timeout());
            byName.put(name, new Target(name, t.host(), t.port(), t.database().orElse(""), t.username(),
                    List.copyOf(storage), t.profile(), pw, t.format(), t.jobs(), t.globals(), restore));
        });
        if (collect == null) {
            problems.throwIfAny();
        }
    }

    private static final com.cronutils.parser.CronParser CRON = new com.cronutils.parser.CronParser(
            com.cronutils.model.definition.CronDefinitionBuilder.instanceDefinitionFor(com.cronutils.model.CronType.QUARTZ));

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
