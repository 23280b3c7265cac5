package dev.lifeboat.restore;

import dev.lifeboat.crypto.AgeDecryptionException;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.job.JobCancelledException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.pg.PgCommand;
import dev.lifeboat.pg.CopyChunkCoalescer;
import dev.lifeboat.pg.PgConnectInfo;
import dev.lifeboat.pg.PgProcess;
import dev.lifeboat.pg.PgProcessException;
import dev.lifeboat.pg.PgTools;
import dev.lifeboat.target.DumpFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Runs {@code pg_restore --exit-on-error} of a stored backup into an existing, empty database: what a
 * restore and a drill share.
 *
 * <ul>
 *   <li>A custom-format archive restored whole with one job is streamed from storage (decrypted on the
 *       way) into pg_restore's standard input: no local copy.</li>
 *   <li>With {@code jobs > 1} or a selection, pg_restore needs a seekable file: the decrypted archive is
 *       spooled to {@code scratchBase} first, after checking there is room for it.</li>
 *   <li>A directory-format backup (a tar of pg_dump's directory) is unpacked there and restored with
 *       {@code -Fd}.</li>
 * </ul>
 * The spool is always removed afterwards.
 */
public final class ArchiveRestore {
    private static final Logger LOG = Logger.getLogger(ArchiveRestore.class);
    /** Room kept free beyond the archive's size when spooling. */
    static final long SPOOL_HEADROOM = 64L << 20;
    static final String SPOOL_PREFIX = "lifeboat-restore-";

    /**
     * @param ownership   pg_restore options about owners and privileges, e.g. {@code --no-owner --role=app}
     * @param jobs        parallel pg_restore jobs
     * @param scratchBase where archives are spooled and directory backups unpacked
     * @param selection   the objects to restore, or null for everything
     */
    public record Options(List<String> ownership, int jobs, Path scratchBase, Selection selection, Duration timeout) {
    }

    private ArchiveRestore() {
    }

    /**
     * Restores {@code src} into {@code db} (which must exist).
     *
     * @return null when pg_restore finished without error, else what went wrong with the backup
     *         (decryption, pg_restore's error, an unexpected archive entry)
     * @throws JobCancelledException when the job was told to stop
     * @throws PermanentJobException when the scratch directory has no room for the spool
     */
    public static String restore(JobContext ctx, StoredBackup src, AgeIdentities identities, PgTools.Tool pgRestore,
                                 PgConnectInfo db, Options opts) throws Exception {
        boolean directory = src.backup().dumpFormat() == DumpFormat.DIRECTORY;
        if (!directory && opts.jobs() <= 1 && opts.selection() == null) {
            return stream(ctx, src, identities, pgRestore, db, opts);
        }
        Path dir = spoolDir(opts.scratchBase(), ctx.jobId());
        try {
            Files.createDirectories(opts.scratchBase());
            deleteTree(dir); // an earlier attempt of this job whose replica was killed
            checkRoom(opts.scratchBase(), src.backup().archiveSize());
            Files.createDirectory(dir);
            Path archive;
            try (InputStream plain = src.openDump(identities)) {
                if (directory) {
                    archive = dir.resolve("dump");
                    String problem = unpack(ctx, plain, archive);
                    if (problem != null) {
                        return problem;
                    }
                } else {
                    archive = dir.resolve("dump.pgc");
                    spool(ctx, plain, archive, src.backup().archiveSize());
                }
            } catch (AgeDecryptionException e) {
                return "decryption failed: " + e.getMessage();
            }
            List<String> args = new ArrayList<>(opts.ownership());
            args.addAll(List.of("--exit-on-error", "--no-password", "--dbname=" + db.database(), "--jobs=" + Math.max(1, opts.jobs())));
            if (opts.selection() != null) {
                Path list = dir.resolve("selection.list");
                Files.write(list, opts.selection().filter(tableOfContents(ctx, pgRestore, db, archive, opts)), StandardCharsets.UTF_8);
                createSchemas(db, opts.selection().schemasToCreate());
                args.add("--use-list=" + list);
            }
            args.add(archive.toString());
            ctx.progress("restoring", null, null);
            PgCommand cmd = PgCommand.of(pgRestore).args(args).connection(db).timeout(opts.timeout()).stdout(PgCommand.Stdout.DISCARD);
            try (PgProcess p = PgProcess.start(cmd)) {
                p.cancelOn(ctx::onCancel);
                p.waitFor();
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                return "pg_restore failed: " + e.getMessage();
            }
            return null;
        } finally {
            deleteTree(dir);
        }
    }

    /** Streams the (decrypted) archive into pg_restore's standard input. */
    private static String stream(JobContext ctx, StoredBackup src, AgeIdentities identities, PgTools.Tool pgRestore,
                                 PgConnectInfo db, Options opts) throws Exception {
        List<String> args = new ArrayList<>(opts.ownership());
        args.addAll(List.of("--exit-on-error", "--no-password", "--dbname=" + db.database()));
        PgCommand cmd = PgCommand.of(pgRestore).args(args).connection(db).timeout(opts.timeout())
                .stdin(true).stdout(PgCommand.Stdout.DISCARD);
        try (PgProcess p = PgProcess.start(cmd)) {
            p.cancelOn(ctx::onCancel);
            String streamError = null;
            // pg_restore reads this stream in order: the table data may come in fewer, larger chunks
            // (one CopyData message per chunk instead of one per row; see CopyChunkCoalescer).
            try (InputStream plain = src.openDump(identities)) {
                OutputStream toRestore = new CopyChunkCoalescer(p.stdin());
                try {
                    byte[] buf = new byte[256 * 1024];
                    long done = 0;
                    int n;
                    while ((n = plain.read(buf)) >= 0) {
                        if (ctx.isCancelled()) {
                            throw new JobCancelledException(ctx.stopReason());
                        }
                        try {
                            toRestore.write(buf, 0, n);
                        } catch (IOException pipe) {
                            break; // pg_restore stopped reading: its exit status says why
                        }
                        done += n;
                        ctx.progress("restoring", done, src.backup().archiveSize());
                    }
                } finally {
                    try {
                        toRestore.close(); // the last joined chunk, then end of input
                    } catch (IOException pipe) {
                        // pg_restore stopped reading: its exit status says why
                    }
                }
            } catch (AgeDecryptionException e) {
                streamError = "decryption failed: " + e.getMessage();
                p.cancel();
            }
            try {
                p.waitFor();
            } catch (PgProcessException e) {
                ctx.throwIfCancelled();
                return streamError != null ? streamError : "pg_restore failed: " + e.getMessage();
            }
            return streamError;
        }
    }

    /** Where a job spools: {@code lifeboat-restore-<job id>} in the scratch base (drills and restores alike). */
    static Path spoolDir(Path base, UUID jobId) {
        return base.resolve(SPOOL_PREFIX + jobId);
    }

    /** Fails before writing anything when the spool would not fit. */
    static void checkRoom(Path base, long archiveBytes) throws IOException {
        long usable = Files.getFileStore(base).getUsableSpace();
        long needed = archiveBytes + archiveBytes / 10 + SPOOL_HEADROOM;
        if (usable < needed) {
            throw new PermanentJobException(String.format("not enough free space in %s to spool the archive for pg_restore: "
                    + "%,d bytes needed (archive %,d bytes plus headroom), %,d free. Hint: free space, point "
                    + "lifeboat.backup.scratch-dir at a larger volume, or restore with jobs=1 and no selection (streams, no spool)",
                    base, needed, archiveBytes, usable));
        }
    }

    private static void spool(JobContext ctx, InputStream plain, Path file, long total) throws IOException {
        ctx.progress("spooling", 0L, total);
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[256 * 1024];
            long done = 0;
            int n;
            while ((n = plain.read(buf)) >= 0) {
                if (ctx.isCancelled()) {
                    throw new JobCancelledException(ctx.stopReason());
                }
                out.write(buf, 0, n);
                done += n;
                ctx.progress("spooling", done, total);
            }
        }
    }

    /** Unpacks the tar of a pg_dump directory (flat regular files only) into {@code dir}. */
    private static String unpack(JobContext ctx, InputStream plain, Path dir) throws IOException {
        Files.createDirectory(dir);
        ctx.progress("spooling", null, null);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(plain)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (ctx.isCancelled()) {
                    throw new JobCancelledException(ctx.stopReason());
                }
                Path file = dir.resolve(entry.getName()).normalize();
                if (file.getParent() == null || !file.getParent().equals(dir) || !entry.isFile()) {
                    return "the archive holds an unexpected entry '" + entry.getName() + "' (a pg_dump directory is flat)";
                }
                Files.copy(tar, file);
            }
        }
        return null;
    }

    /** {@code pg_restore --list} of a spooled archive. */
    private static List<String> tableOfContents(JobContext ctx, PgTools.Tool pgRestore, PgConnectInfo db, Path archive,
                                                Options opts) throws Exception {
        List<String> lines = new ArrayList<>();
        PgCommand cmd = PgCommand.of(pgRestore).args("--list", archive.toString()).connection(db).timeout(opts.timeout());
        try (PgProcess p = PgProcess.start(cmd)) {
            p.cancelOn(ctx::onCancel);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.stdout(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            }
            p.waitFor();
        }
        return lines;
    }

    /** Schemas a selective restore needs before its objects: created by the restoring role when missing. */
    private static void createSchemas(PgConnectInfo db, List<String> schemas) throws SQLException {
        if (schemas.isEmpty()) {
            return;
        }
        try (Connection c = db.open(); Statement st = c.createStatement()) {
            for (String s : schemas) {
                st.execute("CREATE SCHEMA IF NOT EXISTS " + Databases.quoteIdent(s));
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not remove the scratch directory %s (%s)", dir, e.getMessage());
        }
    }
}
