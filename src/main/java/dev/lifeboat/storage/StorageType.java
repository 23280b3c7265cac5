package dev.lifeboat.storage;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The storage drivers ({@code lifeboat.storage.<name>.type}). */
public enum StorageType {
    /** A local (or mounted) directory: {@link FilesystemBlobStore}. */
    FILESYSTEM,
    /** An S3-compatible object store: {@link S3BlobStore}. */
    S3;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<StorageType> parse(String id) {
        return Arrays.stream(values()).filter(t -> t.id().equals(id)).findFirst();
    }
}
