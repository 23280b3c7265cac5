package dev.lifeboat.backup;

import dev.lifeboat.config.LifeboatConfig;
import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.pg.ArchiveCounts;
import dev.lifeboat.pg.DirectoryArchiveCounter;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgDump;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgTools;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The {@code directory} format: {@code pg_dump -Fd --jobs=N} into a scratch directory (parallel
 * dumps of large databases, all workers in the same exported snapshot), then the directory is
 * streamed as one tar ({@code toc.dat} first) into the backup's pipeline and deleted. To restore by
 * hand: {@code age -d … | tar -x -C dir && pg_restore -Fd -j N -d db dir}.
 *
 * <p>Unlike the custom format this needs scratch disk as large as the compressed dump
 * ({@code lifeboat.backup.scratch-dir}, default the JVM's temporary directory); memory stays bounded.
 */
final class DirectoryDump {
    private static final Logger LOG = Logger.getLogger(DirectoryDump.class);

    private DirectoryDump() {
    }

    /**
     * Dumps, counts each table's rows in the dumped files, and streams the directory as a tar into {@code sink}.
     *
     * @return the archive's own row counts; empty when pg_dump compressed the files (gzip) or the archive is
     *         one the counter does not know (logged)
     */
    static Optional<ArchiveCounts> run(JobContext ctx, LifeboatConfig config, PgTools.Tool pgDump, PgConnectInfo conn,
                                       String snapshotId, int jobs, List<String> compressionArgs, UUID backupId, long estimate,
                                       OutputStream sink) throws Exception {
        Path scratch = config.backup().scratchBase();
        Files.createDirectories(scratch);
        Path dir = scratch.resolve("lifeboat-dump-" + backupId);
        try {
            List<String> args = new ArrayList<>(compressionArgs);
            args.add("--jobs=" + jobs);
            args.add("--file=" + dir);
            PgDump dump = new PgDump("directory", snapshotId, config.pg().lockWaitTimeout(), config.pg().dumpTimeout(), args);
            ctx.progress("dumping", 0L, estimate);
            PgCommand command = PgCommand.of(pgDump).args(dump.args()).connection(conn).timeout(config.pg().dumpTimeout())
                    .stdout(PgCommand.Stdout.DISCARD);
            try (PgProcess p = PgProcess.start(command)) {
                p.cancelOn(ctx::onCancel);
                Thread progress = new Thread(() -> reportSize(ctx, dir, estimate, p), "lifeboat-dump-progress");
                progress.setDaemon(true);
                progress.start();
                try {
                    p.waitFor();
                } finally {
                    progress.interrupt();
                }
            }
            ctx.throwIfCancelled();
            Optional<ArchiveCounts> counts = DirectoryArchiveCounter.count(dir,
                    reason -> LOG.infof("backup %s: row counts not read from the dumped files (%s)", backupId, reason));
            long total = size(dir);
            ctx.progress("uploading", 0L, total);
            TarArchiveOutputStream tar = new TarArchiveOutputStream(sink);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            long done = 0;
            byte[] buf = new byte[256 * 1024];
            for (Path file : files(dir)) {
                TarArchiveEntry entry = new TarArchiveEntry(file.toFile(), dir.relativize(file).toString());
                tar.putArchiveEntry(entry);
                try (InputStream in = Files.newInputStream(file)) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (ctx.isCancelled()) {
                            throw new JobCancelledException(ctx.stopReason());
                        }
                        tar.write(buf, 0, n);
                        done += n;
                    }
                }
                tar.closeArchiveEntry();
                ctx.progress("uploading", done, total);
            }
            tar.finish(); // the end-of-archive blocks; closing the sink is the caller's
            tar.flush();
            return counts;
        } finally {
            deleteRecursively(dir);
        }
    }

    /** toc.dat first (pg_restore and tar readers see the table of contents first), then the data files by name. */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> !p.getFileName().toString().equals("toc.dat"))
                            .thenComparing(p -> p.getFileName().toString()))
                    .toList();
        }
    }

    private static void reportSize(JobContext ctx, Path dir, long estimate, PgProcess p) {
        try {
            while (p.isAlive() && !Thread.currentThread().isInterrupted()) {
                Thread.sleep(1000);
                long done = size(dir);
                ctx.progress("dumping", done, Math.max(estimate, done));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | UncheckedIOException e) {
            // the directory is being created or removed: progress is best effort
        }
    }

    private static long size(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            LOG.warnf("could not remove the scratch directory %s (%s); delete it by hand", dir, e.getMessage());
        }
    }
}
