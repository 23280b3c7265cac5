package dev.lifeboat.backup;

import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Deletes a backup: every stored object (the manifest first, so a half-deleted backup never looks
 * complete), then its catalog row. If a storage cannot be reached the row stays and the deletion can
 * simply be repeated: deleting an object that is already gone is fine.
 */
@ApplicationScoped
public class BackupRemover {
    @Inject
    BlobStores blobStores;
    @Inject
    BackupCatalog catalog;

    /** @throws IOException naming the object and storage that could not be deleted; the catalog row is then kept */
    public void remove(Backup backup) throws IOException {
        for (BackupLocation loc : backup.locations) {
            BlobStore store;
            try {
                store = blobStores.get(loc.storage());
            } catch (IllegalArgumentException e) {
                continue; // the storage was removed from the configuration: nothing Lifeboat can delete there
            }
            Set<String> keys = new LinkedHashSet<>();
            keys.add(loc.manifestKey() != null ? loc.manifestKey() : backup.prefix + BackupKeys.MANIFEST);
            keys.add(loc.key());
            if (backup.globals) {
                keys.add(backup.prefix + BackupKeys.globalsName(backup.encrypted));
            }
            for (String key : keys) {
                try {
                    store.delete(key);
                } catch (IOException e) {
                    throw new IOException("cannot delete " + key + " from storage " + loc.storage() + ": " + e.getMessage(), e);
                }
            }
        }
        catalog.remove(backup.id);
    }
}
