package dev.lifeboat.restore;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.backup.Backup;
import dev.lifeboat.backup.BackupLocation;
import dev.lifeboat.backup.CopyCheck;
import dev.lifeboat.backup.Manifest;
import dev.lifeboat.compress.Zstd;
import dev.lifeboat.crypto.AgeDecryptionException;
import dev.lifeboat.crypto.AgeEncryption;
import dev.lifeboat.crypto.AgeIdentities;
import dev.lifeboat.crypto.AgeKeyException;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.storage.NoSuchObjectException;
import dev.lifeboat.target.Compression;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One stored copy of a catalogued backup, as restores and drills read it: the first copy whose storage
 * is still configured, its manifest, and its objects opened (and decrypted) as streams.
 */
public final class StoredBackup {
    private final Backup backup;
    private final BlobStore store;
    private final BackupLocation location;
    private final ObjectMapper json;

    private StoredBackup(Backup backup, BlobStore store, BackupLocation location, ObjectMapper json) {
        this.backup = backup;
        this.store = store;
        this.location = location;
        this.json = json;
    }

    /** Every copy of {@code backup} whose storage is still configured, in the catalog's order. */
    public static List<StoredBackup> copies(Backup backup, BlobStores stores, ObjectMapper json) {
        List<StoredBackup> out = new ArrayList<>();
        for (BackupLocation loc : backup.locations) {
            try {
                out.add(new StoredBackup(backup, stores.get(loc.storage()), loc, json));
            } catch (IllegalArgumentException e) {
                // storage removed from the configuration: not a copy Lifeboat can read
            }
        }
        if (out.isEmpty()) {
            throw new PermanentJobException("no storage of backup " + backup.id + " is configured any more: "
                    + backup.locations.stream().map(BackupLocation::storage).toList());
        }
        return out;
    }

    /** The first copy of {@code backup} whose storage is still configured. */
    public static StoredBackup locate(Backup backup, BlobStores stores, ObjectMapper json) {
        for (BackupLocation loc : backup.locations) {
            try {
                return new StoredBackup(backup, stores.get(loc.storage()), loc, json);
            } catch (IllegalArgumentException e) {
                // storage removed from the configuration: try the next copy
            }
        }
        throw new PermanentJobException("no storage of backup " + backup.id + " is configured any more: "
                + backup.locations.stream().map(BackupLocation::storage).toList());
    }

    public Backup backup() {
        return backup;
    }

    public BlobStore store() {
        return store;
    }

    /** Key of an object beside the manifest, e.g. {@code globals.sql.age}. */
    public String keyOf(String name) {
        String m = location.manifestKey();
        return m.substring(0, m.lastIndexOf('/') + 1) + name;
    }

    /** What is wrong with the stored dump (size or SHA-256 against the catalog, every byte read), or null. */
    public String dumpProblem(JobContext ctx) throws IOException {
        return CopyCheck.problem(store, location.key(), backup.sizeBytes, backup.sha256, ctx);
    }

    /**
     * What is wrong with the stored roles object, or null: its SHA-256 must be the catalog's (the
     * manifest could have been changed along with the object; only backups made before the catalog kept
     * it fall back to the manifest's), and its size the manifest's.
     */
    public String globalsProblem(Manifest manifest, JobContext ctx) throws IOException {
        Manifest.StoredFile g = manifest.globals();
        if (g == null) {
            return "the backup has no globals";
        }
        String expected = backup.globalsSha256 != null ? backup.globalsSha256 : g.sha256();
        if (!expected.equals(g.sha256())) {
            return "the manifest gives the roles object SHA-256 " + g.sha256() + ", but the catalog recorded " + expected
                    + " when the backup was made: the manifest was changed";
        }
        return CopyCheck.problem(store, keyOf(g.name()), g.sizeBytes(), expected, ctx);
    }

    /**
     * The backup's {@code manifest.json}.
     *
     * @throws ManifestException when it is missing or is not a manifest (the backup is then damaged)
     * @throws IOException       when the storage could not be asked
     */
    public Manifest manifest() throws IOException {
        Manifest m;
        try (InputStream in = store.open(location.manifestKey())) {
            m = json.readerFor(Manifest.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).readValue(in);
        } catch (NoSuchObjectException e) {
            throw new ManifestException("manifest " + location.manifestKey() + " is missing from storage " + store.name(), e);
        } catch (JacksonException e) {
            throw new ManifestException("manifest " + location.manifestKey() + " in storage " + store.name() + " is not valid: "
                    + e.getOriginalMessage(), e);
        }
        if (m == null || m.rowCounts() == null || !backup.id.equals(m.backupId())) {
            throw new ManifestException("manifest " + location.manifestKey() + " in storage " + store.name()
                    + " does not describe backup " + backup.id, null);
        }
        return m;
    }

    /** The manifest is missing or unreadable: the backup cannot be trusted as recorded. */
    public static final class ManifestException extends IOException {
        public ManifestException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The dump as pg_restore reads it: decrypted when the backup is encrypted ({@code identities} then required),
     * and decompressed when Lifeboat compressed it (zstd).
     */
    public InputStream openDump(AgeIdentities identities) throws IOException {
        InputStream in = open(location.key(), identities);
        if (backup.compressionAlgorithm() != Compression.Algorithm.ZSTD) {
            return in;
        }
        try {
            return Zstd.decompress(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    public InputStream openGlobals(Manifest manifest, AgeIdentities identities) throws IOException {
        return open(keyOf(manifest.globals().name()), identities);
    }

    private InputStream open(String key, AgeIdentities identities) throws IOException {
        InputStream stored = store.open(key);
        if (!backup.encrypted) {
            return stored;
        }
        try {
            return AgeEncryption.decrypt(stored, identities, "backup " + backup.id);
        } catch (IOException | RuntimeException e) {
            stored.close();
            throw e;
        }
    }

    /**
     * The age identities for an encrypted backup (null for a plain one), read from
     * {@code lifeboat.encryption.identity-file}.
     *
     * @throws AgeKeyException when the file is not configured or holds no usable key
     */
    public static AgeIdentities identities(Backup backup, Optional<Path> identityFile) throws IOException {
        if (!backup.encrypted) {
            return null;
        }
        Path file = identityFile.orElseThrow(() -> new AgeKeyException(
                "the backup is encrypted but lifeboat.encryption.identity-file is not set. Hint: mount the age private key and point the setting at it"));
        return AgeIdentities.fromFile(file);
    }

    /**
     * Proves the identities open this backup before anything touches PostgreSQL: reads the age header
     * and the first bytes of the dump.
     *
     * @throws AgeDecryptionException when the key does not fit
     */
    public void probeKey(AgeIdentities identities) throws IOException {
        if (!backup.encrypted) {
            return;
        }
        try (InputStream in = openDump(identities)) {
            in.read(new byte[16]);
        }
    }
}
