package dev.lifeboat.backup;

import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.ObjectInfo;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Removes what interrupted backups of a target left in a store: uploads never finished (the process
 * was killed mid-upload: S3 multipart uploads, temporary files) and backup directories without a
 * {@code manifest.json} (killed after the dump was stored, before the manifest). Run at the start of
 * a backup, when no other backup of the target can be running (one running job per target), so
 * nothing it removes can belong to a live backup. Directories with a manifest are never touched.
 */
final class LeftoverSweeper {
    private static final Logger LOG = Logger.getLogger(LeftoverSweeper.class);

    private LeftoverSweeper() {
    }

    /** Returns the number of uploads aborted and objects deleted. */
    static int sweep(BlobStore store, String target) throws IOException {
        String prefix = target + "/";
        int removed = store.abortIncompleteUploads(prefix);
        Map<String, List<String>> byDirectory = new TreeMap<>();
        for (ObjectInfo o : store.list(prefix)) {
            int slash = o.key().lastIndexOf('/');
            byDirectory.computeIfAbsent(o.key().substring(0, slash + 1), d -> new ArrayList<>()).add(o.key());
        }
        for (Map.Entry<String, List<String>> dir : byDirectory.entrySet()) {
            boolean complete = dir.getValue().stream().anyMatch(k -> k.endsWith("/" + BackupKeys.MANIFEST));
            if (!complete && isBackupDirectory(dir.getKey(), target)) {
                for (String key : dir.getValue()) {
                    store.delete(key);
                    removed++;
                }
                LOG.warnf("storage %s: removed %s, left incomplete (no manifest.json) by an interrupted backup of target %s: %s",
                        store.name(), dir.getKey(), target, dir.getValue());
            }
        }
        if (removed > 0) {
            LOG.infof("storage %s: cleaned up %d leftover(s) of interrupted backups of target %s", store.name(), removed, target);
        }
        return removed;
    }

    /** Only directories shaped like ours ({@code <target>/yyyy/mm/dd/<uuid>/}): never anything a person put there. */
    static boolean isBackupDirectory(String dir, String target) {
        return dir.matches(Pattern.quote(target + "/") + "\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/");
    }
}
