package dev.lifeboat.pg;

import dev.lifeboat.config.LifeboatConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the PostgreSQL client tools ({@code pg_dump}, {@code pg_restore}, {@code psql},
 * {@code pg_dumpall}) in the directories of {@code lifeboat.pg.bin-dirs} and picks the right version
 * for a server.
 *
 * <p>pg_dump can dump servers of its own and older major versions, never newer ones. For a server
 * of major version N Lifeboat uses the <em>lowest</em> installed tool whose major version is at
 * least N: a dump made by the oldest suitable pg_dump restores with the widest range of pg_restore
 * versions. If several directories hold the same major version, the first one listed wins.
 *
 * <p>Each candidate's version is detected once (by running {@code <tool> --version}) and cached:
 * tools installed while Lifeboat runs are seen after a restart.
 */
@ApplicationScoped
public class PgTools {
    private static final Logger LOG = Logger.getLogger(PgTools.class);
    /** The Debian/Ubuntu layout: one directory per installed major version. */
    public static final String DEBIAN_BIN_DIRS = "/usr/lib/postgresql/*/bin";
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)");

    /** A tool found on disk and its version. */
    public record Tool(String name, Path path, int major, String version) {
    }

    private final List<String> binDirs;
    private final Map<String, List<Tool>> found = new ConcurrentHashMap<>();

    /** At start-up: password files a killed Lifeboat left in the temporary directory go (never one of a live JVM). */
    void sweepPassfiles(@Observes StartupEvent ev) {
        PgProcess.sweepPassfiles(Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Inject
    public PgTools(LifeboatConfig config) {
        this(config.pg().binDirs().orElseGet(PgTools::defaultBinDirs));
    }

    /** @param binDirs directories to search, in order; {@code *} in a path component is a glob */
    public PgTools(List<String> binDirs) {
        this.binDirs = List.copyOf(binDirs);
    }

    /** {@value #DEBIAN_BIN_DIRS}, then the directories on {@code PATH}. */
    public static List<String> defaultBinDirs() {
        List<String> dirs = new ArrayList<>();
        dirs.add(DEBIAN_BIN_DIRS);
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isBlank()) {
                    dirs.add(d);
                }
            }
        }
        return dirs;
    }

    /** The configured directories as given (globs unexpanded), for messages. */
    public List<String> binDirs() {
        return binDirs;
    }

    /** The existing directories the configured entries expand to, in order, without duplicates. */
    public List<Path> expandedBinDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String entry : binDirs) {
            for (Path p : expand(entry)) {
                if (Files.isDirectory(p)) {
                    dirs.add(p.normalize());
                }
            }
        }
        return List.copyOf(dirs);
    }

    /** Every copy of {@code tool} found, with its version, in search order (one per real file). */
    public List<Tool> find(String tool) {
        return found.computeIfAbsent(tool, this::scan);
    }

    /**
     * The lowest {@code tool} version that can work with a server of major version {@code serverMajor}.
     *
     * @param target named in the error message
     * @throws PgPermanentException naming what to install when no suitable version is found
     */
    public Tool choose(String tool, int serverMajor, String target) {
        try {
            return choose(tool, find(tool), serverMajor, target, binDirs);
        } catch (PgPermanentException e) {
            // The tools found earlier do not fit: look again, in case the right client was installed
            // since (no restart needed), before saying what to install.
            found.remove(tool);
            return choose(tool, find(tool), serverMajor, target, binDirs);
        }
    }

    /** The pg_dump for a probed server. */
    public Tool pgDump(ServerInfo server) {
        return choose("pg_dump", server.major(), server.target());
    }

    /** The choice itself, on a given list of candidates (see {@link #choose(String, int, String)}). */
    static Tool choose(String tool, List<Tool> candidates, int serverMajor, String target, List<String> searched) {
        Optional<Tool> fit = candidates.stream()
                .filter(t -> t.major() >= serverMajor)
                .min(Comparator.comparingInt(Tool::major)); // stable: the first of equal majors wins
        if (fit.isPresent()) {
            return fit.get();
        }
        String hint = ". Hint: install postgresql-client-" + serverMajor + " and add its bin directory to lifeboat.pg.bin-dirs";
        if (candidates.isEmpty()) {
            throw new PgPermanentException(tool + " was not found for server " + serverMajor + " (target " + target
                    + "; searched " + String.join(", ", searched) + ")" + hint);
        }
        int newest = candidates.stream().mapToInt(Tool::major).max().getAsInt();
        String verb = tool.startsWith("pg_dump") ? " cannot dump server " : " is older than server ";
        throw new PgPermanentException(tool + " " + newest + verb + serverMajor + " (target " + target + "): " + tool + " "
                + serverMajor + " or newer is needed" + (searched.isEmpty() ? "" : "; searched " + String.join(", ", searched)) + hint);
    }

    /**
     * The pg_restore (or psql) for an archive written by pg_dump {@code archiveMajor}, restored into a
     * server of {@code serverMajor}: one as new as the archive is needed to read it; the server's own
     * major is preferred when it is installed (an older pg_restore restores into a newer server too, which
     * is how a dump moves to a new major version).
     *
     * @throws PgPermanentException naming the version needed and the directories searched
     */
    public Tool forArchive(String tool, int archiveMajor, int serverMajor, String target) {
        Tool fit = choose(tool, archiveMajor, target);
        if (serverMajor > fit.major()) {
            Optional<Tool> same = find(tool).stream().filter(t -> t.major() == serverMajor).findFirst();
            if (same.isPresent()) {
                return same.get();
            }
        }
        return fit;
    }

    /** Runs {@code <path> --version} and parses the major version; empty if it is not a PostgreSQL tool or fails. */
    public static Optional<Tool> detect(String name, Path path) {
        Process p = null;
        try {
            p = new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readNBytes(4096), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                LOG.warnf("%s --version failed (%s); ignoring it", path, out);
                return Optional.empty();
            }
            Matcher m = VERSION.matcher(out);
            if (!m.find()) {
                LOG.warnf("%s --version printed no PostgreSQL version (%s); ignoring it", path, out.lines().findFirst().orElse(""));
                return Optional.empty();
            }
            String version = out.substring(m.start(1)).split("\\s+")[0];
            return Optional.of(new Tool(name, path, Integer.parseInt(m.group(1)), version));
        } catch (IOException e) {
            LOG.warnf("cannot run %s --version (%s); ignoring it", path, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    private List<Tool> scan(String tool) {
        List<Tool> tools = new ArrayList<>();
        Set<Path> seen = new LinkedHashSet<>();
        for (Path dir : expandedBinDirs()) {
            Path candidate = dir.resolve(tool);
            if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
                continue;
            }
            try {
                if (!seen.add(candidate.toRealPath())) {
                    continue; // the same file through a symlinked directory
                }
            } catch (IOException e) {
                continue;
            }
            detect(tool, candidate).ifPresent(tools::add);
        }
        LOG.debugf("found %s: %s", tool, tools);
        return List.copyOf(tools);
    }

    /** Expands {@code *}, {@code ?} and {@code [..]} in each component of an absolute or relative path. */
    static List<Path> expand(String pattern) {
        Path p = Path.of(pattern);
        List<Path> current = new ArrayList<>();
        current.add(p.getRoot() == null ? Path.of("") : p.getRoot());
        for (Path component : p) {
            String c = component.toString();
            List<Path> next = new ArrayList<>();
            if (c.chars().noneMatch(ch -> ch == '*' || ch == '?' || ch == '[')) {
                for (Path base : current) {
                    next.add(base.resolve(c));
                }
            } else {
                PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + c);
                for (Path base : current) {
                    Path dir = base.toString().isEmpty() ? Path.of(".") : base;
                    if (!Files.isDirectory(dir)) {
                        continue;
                    }
                    List<Path> matches = new ArrayList<>();
                    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                        for (Path e : entries) {
                            if (matcher.matches(e.getFileName())) {
                                matches.add(base.resolve(e.getFileName().toString()));
                            }
                        }
                    } catch (IOException e) {
                        continue;
                    }
                    matches.sort(null);
                    next.addAll(matches);
                }
            }
            current = next;
        }
        return current;
    }
}
