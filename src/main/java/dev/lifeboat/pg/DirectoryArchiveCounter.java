package dev.lifeboat.pg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Row counts of every table in a pg_dump directory-format archive ({@code pg_dump -Fd -Z0}, any
 * {@code -j}), read from the archive itself.
 *
 * <p>The layout (src/bin/pg_dump/pg_backup_directory.c): {@code toc.dat} holds the same header and TOC
 * as a custom-format archive ({@link ArchiveRowCounter} reads it), except that its format code is tar's
 * (3: "the directory is compatible with 'tar'", _CloseArchive) and each entry's extra TOC data is a file
 * name string (_WriteExtraToc): {@code <dumpId>.dat} for an entry with data, empty for the others
 * (_ArchiveEntry). A TABLE DATA entry's file holds the table's COPY text, one line per row and COPY's
 * end-of-data line, as a custom archive's data block does ({@link CopyDataCounter}); compressed, the file
 * is {@code <dumpId>.dat.gz} ({@code .lz4}, {@code .zst}) instead, and the header says so: such an archive
 * is not counted. Large objects are in {@code blobs*.toc} and {@code blob_<oid>.dat} files, not read here.
 *
 * <p>Like {@link ArchiveRowCounter}, it never throws for a bad archive or an unreadable file: the counts
 * are empty and the reason goes to the caller.
 */
public final class DirectoryArchiveCounter {
    private static final int BUFFER = 256 * 1024;
    private static final List<String> COMPRESSED_SUFFIXES = List.of(".gz", ".lz4", ".zst");

    private DirectoryArchiveCounter() {
    }

    /** The row counts of the archive in {@code dumpDir}; empty when it cannot be counted (the reason is dropped). */
    public static Optional<ArchiveCounts> count(Path dumpDir) {
        return count(dumpDir, reason -> { });
    }

    /**
     * The row counts of the archive in {@code dumpDir}; empty when it cannot be counted, and then
     * {@code unsupportedReason} gets a sentence saying why (for a log line and the manifest).
     */
    public static Optional<ArchiveCounts> count(Path dumpDir, Consumer<String> unsupportedReason) {
        try {
            return Optional.of(read(dumpDir));
        } catch (Unsupported e) {
            unsupportedReason.accept(e.getMessage());
        } catch (IOException e) {
            unsupportedReason.accept("cannot read the archive in " + dumpDir + ": " + e);
        } catch (RuntimeException e) {
            unsupportedReason.accept("the counter failed on the archive in " + dumpDir + ": " + e); // must not fail the backup
        }
        return Optional.empty();
    }

    /** Why an archive is not counted. */
    private static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    private static ArchiveCounts read(Path dumpDir) throws IOException, Unsupported {
        Path toc = dumpDir.resolve("toc.dat");
        if (!Files.isRegularFile(toc)) {
            String compressed = compressedSibling(toc);
            throw new Unsupported(compressed != null ? "toc.dat in " + dumpDir + " is compressed (" + compressed
                    + "); rows are counted only in uncompressed archives (pg_dump -Z0)"
                    : "no toc.dat in " + dumpDir + ": not a directory-format archive");
        }
        ArchiveRowCounter tocReader = new ArchiveRowCounter(ArchiveRowCounter.Flavour.DIRECTORY_TOC);
        try (InputStream in = Files.newInputStream(toc)) {
            in.transferTo(tocReader);
        }
        tocReader.close();
        if (tocReader.unsupportedReason() != null) {
            throw new Unsupported("toc.dat in " + dumpDir + ": " + tocReader.unsupportedReason());
        }

        Map<TableName, Long> rows = new LinkedHashMap<>();
        byte[] buffer = new byte[BUFFER];
        for (ArchiveRowCounter.TableDataFile entry : tocReader.tableDataFiles()) {
            // Only the name pg_dump gives (_ArchiveEntry): never a path the TOC could point elsewhere with.
            if (!(entry.dumpId() + ".dat").equals(entry.filename())) {
                throw new Unsupported("the data of table " + entry.table() + " is in file '" + entry.filename()
                        + "' where pg_dump writes " + entry.dumpId() + ".dat: the archive is inconsistent");
            }
            Path file = dumpDir.resolve(entry.filename());
            if (!Files.isRegularFile(file)) {
                String compressed = compressedSibling(file);
                throw new Unsupported(compressed != null ? "the data of table " + entry.table() + " is compressed ("
                        + compressed + "); rows are counted only in uncompressed archives (pg_dump -Z0)"
                        : "the data file " + entry.filename() + " of table " + entry.table() + " is missing from " + dumpDir);
            }
            CopyDataCounter counter = new CopyDataCounter();
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    counter.accept(buffer, 0, n);
                }
            }
            if (counter.problem() != null) {
                throw new Unsupported("the rows of table " + entry.table() + " (" + file + ") cannot be counted: "
                        + counter.problem());
            }
            rows.put(entry.table(), counter.rows());
        }
        return new ArchiveCounts(rows, tocReader.archiveVersion());
    }

    /** The name of {@code file}'s compressed form when that exists instead ({@code 1234.dat.gz}), else null. */
    private static String compressedSibling(Path file) {
        for (String suffix : COMPRESSED_SUFFIXES) {
            Path p = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(p)) {
                return p.getFileName().toString();
            }
        }
        return null;
    }
}
