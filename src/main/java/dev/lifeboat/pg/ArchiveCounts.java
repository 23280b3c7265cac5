package dev.lifeboat.pg;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Row counts read from a pg_dump archive itself (see {@link ArchiveRowCounter} and
 * {@link DirectoryArchiveCounter}): one entry per {@code TABLE DATA} item of the archive, in the order
 * the archive holds them: ordinary tables (leaf partitions and unlogged tables included), and foreign
 * tables only if pg_dump ran with {@code --include-foreign-data}. A table whose data is not in the archive
 * (excluded with {@code --exclude-table-data}, a partitioned parent, a view) has no entry.
 *
 * @param rows           rows per table
 * @param archiveVersion the archive format version as {@code pg_restore -l} prints it ({@code 1.14-0}:
 *                       pg_dump 12 to 15 write 1.14, 16 writes 1.15, 17 and 18 write 1.16)
 */
public record ArchiveCounts(Map<TableName, Long> rows, String archiveVersion) {
    public ArchiveCounts {
        rows = Collections.unmodifiableMap(new LinkedHashMap<>(rows));
        Objects.requireNonNull(archiveVersion, "archiveVersion");
    }
}
