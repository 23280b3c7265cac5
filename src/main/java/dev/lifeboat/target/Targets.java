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
import java.nio.file.Path;
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
    private final Map<String, Server> servers;

    /** Parses the targets and servers; throws listing every problem when the configuration is invalid. */
    @Inject
    public Targets(LifeboatConfig config) {
        ConfigProblems problems = new ConfigProblems();
        servers = parseServers(config, problems);
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
            parseServers(config, problems);
            parse(config, problems);
        }
    }

    /** Every server of {@code lifeboat.servers.*} that parses, by name; a problem for each thing wrong. */
    static Map<String, Server> parseServers(LifeboatConfig config, ConfigProblems problems) {
        Map<String, Server> out = new TreeMap<>();
        config.servers().forEach((name, s) -> {
            String key = "lifeboat.servers." + name;
            int before = problems.count();
            if (!NAME.matcher(name).matches()) {
                problems.add("server name '" + name + "' is not allowed. Hint: use lower-case letters, digits, '-' and '_' (at most 63)");
            }
            if (s.port() < 1 || s.port() > 65535) {
                problems.add(key + ".port=" + s.port() + " is not a TCP port");
            }
            if (s.maintenanceDb().isBlank()) {
                problems.add(key + ".maintenance-db is empty. Hint: leave it out for postgres");
            }
            Target.PasswordSource password = password(key, s.password(), s.passwordFile(), problems);
            Tls tls = tls(key, s.sslmode(), s.sslrootcert(), problems);
            if (problems.count() == before) {
                out.put(name, new Server(name, false, s.host(), s.port(), s.username(), password, tls, s.maintenanceDb()));
            }
        });
        return out;
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
        Compression compression = compression(key, t, problems);
        Target.PasswordSource password = password(key, t.password(), t.passwordFile(), problems);
        List<String> storage = storage(key, t, config, problems);
        Target.RestoreOptions restore = restore(key, t, config, problems);
        Target.Schedule schedule = schedule(key, t, problems);
        RetentionRules retention = retention(key, t, problems);
        Tls tls = tls(key, t.sslmode(), t.sslrootcert(), problems);
        Target.DrillOptions drill = drill(key, t, config, problems);
        if (problems.count() > before) {
            return null;
        }
        return new Target(name, t.host(), t.port(), t.database().orElseThrow(), t.username(), List.copyOf(storage), profile.orElseThrow(),
                password, format.orElseThrow(), t.jobs(), compression, t.globals(), restore, retention, schedule, tls, drill);
    }

    private static Compression compression(String key, LifeboatConfig.Target t, ConfigProblems problems) {
        Optional<Compression.Algorithm> algorithm = Compression.Algorithm.parse(t.compression());
        if (algorithm.isEmpty()) {
            problems.add(key + ".compression=" + t.compression() + " is unknown. Hint: use one of " + ids(Compression.Algorithm.values()));
            return null;
        }
        Integer level = t.compressionLevel().orElse(null);
        switch (algorithm.get()) {
            case ZSTD -> {
                if (level != null && (level < 1 || level > 19)) {
                    problems.add(key + ".compression-level=" + level + " is out of range. Hint: zstd levels 1 (fastest) to 19");
                }
            }
            case GZIP -> {
                if (level != null && (level < 0 || level > 9)) {
                    problems.add(key + ".compression-level=" + level + " is out of range. Hint: gzip levels 0 to 9 (pg_dump --compress)");
                }
            }
            case NONE -> {
                if (level != null) {
                    problems.add(key + ".compression-level=" + level + " is set, but compression=none. Hint: remove it, or choose zstd or gzip");
                }
            }
        }
        int threads = t.compressionThreads().orElse(Runtime.getRuntime().availableProcessors());
        if (threads < 1 || threads > 64) {
            problems.add(key + ".compression-threads=" + threads + " is out of range. Hint: 1 to 64 zstd worker threads");
        } else if (t.compressionThreads().isPresent() && algorithm.get() != Compression.Algorithm.ZSTD) {
            problems.add(key + ".compression-threads=" + threads + " needs compression=zstd (only zstd runs in Lifeboat's threads)");
        }
        return new Compression(algorithm.get(), level, threads);
    }

    private static Tls tls(String key, String sslmode, Optional<Path> rootCert, ConfigProblems problems) {
        Optional<Tls.Mode> mode = Tls.Mode.parse(sslmode);
        if (mode.isEmpty()) {
            problems.add(key + ".sslmode=" + sslmode + " is unknown. Hint: disable, allow, prefer, require, verify-ca or verify-full");
            return Tls.DEFAULT;
        }
        if (rootCert.isPresent() && !Files.isReadable(rootCert.get())) {
            problems.add(key + ".sslrootcert " + rootCert.get() + " does not exist or is not readable");
        }
        if (mode.get().verifies() && rootCert.isEmpty()) {
            problems.add(key + ".sslmode=" + sslmode + " needs sslrootcert: the CA certificate the server's certificate must chain to");
        }
        return new Tls(mode.get(), rootCert.orElse(null));
    }

    private static Target.PasswordSource password(String key, Optional<String> literal, Optional<Path> file,
                                                  ConfigProblems problems) {
        if (literal.isPresent() && file.isPresent()) {
            problems.add(key + " sets both password and password-file. Hint: keep one of them");
        } else if (literal.isPresent()) {
            return new Target.PasswordSource.Literal(literal.get());
        } else if (file.isPresent()) {
            if (!Files.isReadable(file.get())) {
                problems.add(key + ".password-file " + file.get() + " does not exist or is not readable");
            }
            return new Target.PasswordSource.File(file.get());
        }
        return new Target.PasswordSource.None();
    }

    /** The drill server (a configured one) and the admin's own drill checks. */
    private static Target.DrillOptions drill(String key, LifeboatConfig.Target t, LifeboatConfig config, ConfigProblems problems) {
        String server = t.drill().server().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (server != null && !config.servers().containsKey(server)) {
            problems.add(key + ".drill.server names '" + server + "', which is not defined. Hint: define lifeboat.servers." + server
                    + ".host" + (config.servers().isEmpty() ? "" : " or use one of " + new TreeMap<>(config.servers()).keySet()));
        }
        Map<String, String> checks = new TreeMap<>();
        t.drill().checks().forEach((name, check) -> {
            if (!NAME.matcher(name).matches()) {
                problems.add(key + ".drill.checks." + name + ": the check name is not allowed. Hint: lower-case letters, digits, '-' and '_'");
            } else if (check.sql().isBlank()) {
                problems.add(key + ".drill.checks." + name + ".sql is empty. Hint: one query returning one boolean, e.g. SELECT count(*) > 0 FROM notes");
            } else if (check.sql().strip().replaceAll(";+$", "").contains(";")) {
                problems.add(key + ".drill.checks." + name + ".sql holds more than one statement. Hint: one query returning one boolean");
            } else {
                checks.put(name, check.sql().strip().replaceAll(";+$", ""));
            }
        });
        return new Target.DrillOptions(server, Map.copyOf(checks));
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

    private static Target.RestoreOptions restore(String key, LifeboatConfig.Target t, LifeboatConfig config, ConfigProblems problems) {
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
        List<String> servers = new ArrayList<>();
        for (String s : r.servers().orElse(List.of())) {
            if (s.isBlank()) {
                continue;
            }
            servers.add(s.trim());
            if (!config.servers().containsKey(s.trim())) {
                problems.add(key + ".restore.servers names '" + s.trim() + "', which is not defined. Hint: define lifeboat.servers."
                        + s.trim() + ".host" + (config.servers().isEmpty() ? "" : " or use one of " + new TreeMap<>(config.servers()).keySet()));
            }
        }
        return new Target.RestoreOptions(r.role().orElse(t.username()), r.keepOwners(), r.privileges(), jobs,
                t.hooks().preRestore().orElse(null), t.hooks().postRestore().orElse(null), t.hooks().timeout(),
                t.hooks().secret().orElse(null), List.copyOf(servers));
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

    /** A server of {@code lifeboat.servers.*}. */
    public Optional<Server> server(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(servers.get(name));
    }

    public Collection<Server> servers() {
        return servers.values();
    }
}
