package dev.lifeboat.storage;

import dev.lifeboat.config.LifeboatConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.net.URI;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One {@link BlobStore} per {@code lifeboat.storage.<name>}, built from configuration (which
 * {@link StorageConfigCheck} has checked at start-up). Building a store does not
 * contact it; {@link BlobStore#checkReachable()} does.
 */
@ApplicationScoped
public class BlobStores {
    private final Map<String, BlobStore> stores;

    @Inject
    public BlobStores(LifeboatConfig config, UploadMemory memory) {
        Map<String, BlobStore> built = new TreeMap<>();
        config.storage().forEach((name, storage) -> built.put(name, build(name, storage, memory)));
        this.stores = Collections.unmodifiableMap(built);
    }

    /** Builds the store that {@code lifeboat.storage.<name>.*} describes; S3 uploads share {@code memory}. */
    public static BlobStore build(String name, LifeboatConfig.Storage storage, UploadMemory memory) {
        String key = "lifeboat.storage." + name;
        StorageType type = StorageType.parse(storage.type()).orElseThrow(() -> new IllegalStateException(
                key + ".type=" + storage.type() + " is unknown. Hint: use filesystem or s3"));
        return switch (type) {
            case FILESYSTEM -> new FilesystemBlobStore(name, storage.path().orElseThrow(
                    () -> new IllegalStateException(key + ".path is missing. Hint: a directory for backups, e.g. /var/lib/lifeboat/backups")));
            case S3 -> new S3BlobStore(name, s3Settings(name, storage), memory);
        };
    }

    static S3Settings s3Settings(String name, LifeboatConfig.Storage storage) {
        String key = "lifeboat.storage." + name;
        S3Settings.Builder b = S3Settings.builder(storage.bucket().filter(s -> !s.isBlank()).orElseThrow(
                        () -> new IllegalStateException(key + ".bucket is missing. Hint: the bucket backups go to")))
                .region(storage.region())
                .prefix(storage.prefix().orElse(""))
                .pathStyle(storage.pathStyle())
                .partSize(storage.partSize().asLongValue())
                .uploadConcurrency(storage.uploadConcurrency());
        storage.endpoint().ifPresent(e -> b.endpoint(URI.create(e)));
        if (storage.accessKeyId().isPresent() && storage.secretAccessKey().isPresent()) {
            b.credentials(storage.accessKeyId().get(), storage.secretAccessKey().get());
        }
        return b.build();
    }

    /**
     * The store named {@code name}.
     *
     * @throws IllegalArgumentException if there is none, listing those there are
     */
    public BlobStore get(String name) {
        BlobStore store = stores.get(name);
        if (store == null) {
            throw new IllegalArgumentException("No storage named '" + name + "'. Hint: the configured storages are "
                    + stores.keySet() + "; define lifeboat.storage." + name + ".type to add one");
        }
        return store;
    }

    /** Every configured store, by name. */
    public Collection<BlobStore> all() {
        return stores.values();
    }

    @PreDestroy
    void close() {
        stores.values().forEach(BlobStore::close);
    }
}
