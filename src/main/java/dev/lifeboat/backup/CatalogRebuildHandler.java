package dev.lifeboat.backup;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import dev.lifeboat.storage.ObjectInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code catalog_rebuild} job: lists every storage's {@code manifest.json} objects and recreates the
 * catalog rows that are missing (Lifeboat's database was lost or restored from an older backup). The
 * manifests are the truth: a backup directory with a manifest is a complete backup. Idempotent, and it
 * never deletes or changes an existing row. A backup stored in several storages gets one row with a
 * location per storage. What a catalog row knew beyond its manifest (verify and drill history, a
 * {@code damaged} status) cannot come back.
 */
@ApplicationScoped
public class CatalogRebuildHandler implements JobHandler<CatalogRebuildArgs, CatalogRebuildResult> {
    private static final Logger LOG = Logger.getLogger(CatalogRebuildHandler.class);
    /** {@code <target>/yyyy/mm/dd/<uuid>/manifest.json}, as {@link BackupKeys} lays it out. */
    static final Pattern MANIFEST_KEY = Pattern.compile(
            "([a-z0-9][a-z0-9_-]{0,62})/\\d{4}/\\d{2}/\\d{2}/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/" + BackupKeys.MANIFEST);

    @Inject
    BlobStores blobStores;
    @Inject
    BackupCatalog catalog;
    @Inject
    ObjectMapper json;

    @Override
    public String kind() {
        return JobKind.CATALOG_REBUILD.id();
    }

    @Override
    public Class<CatalogRebuildArgs> argsType() {
        return CatalogRebuildArgs.class;
    }

    @Override
    public JobOutcome<CatalogRebuildResult> run(JobContext ctx, CatalogRebuildArgs args) throws Exception {
        ObjectMapper reader = json.copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Map<UUID, Backup> found = new TreeMap<>();
        List<String> skipped = new ArrayList<>();
        int manifests = 0;
        for (BlobStore store : blobStores.all()) {
            ctx.progress("listing " + store.name(), null, null);
            for (ObjectInfo o : store.list("")) {
                Matcher m = MANIFEST_KEY.matcher(o.key());
                if (!m.matches()) {
                    continue;
                }
                ctx.throwIfCancelled();
                manifests++;
                Manifest manifest;
                try (InputStream in = store.open(o.key())) {
                    manifest = reader.readValue(in, Manifest.class);
                } catch (Exception e) {
                    skipped.add(store.name() + ":" + o.key() + " (unreadable: " + e.getMessage() + ")");
                    continue;
                }
                if (manifest == null || manifest.dump() == null || !m.group(2).equals(String.valueOf(manifest.backupId()))
                        || !m.group(1).equals(manifest.target())) {
                    skipped.add(store.name() + ":" + o.key() + " (does not describe the backup its path names)");
                    continue;
                }
                String dir = o.key().substring(0, o.key().length() - BackupKeys.MANIFEST.length());
                Optional<Long> dumpSize = store.size(dir + manifest.dump().name());
                if (dumpSize.isEmpty()) {
                    skipped.add(store.name() + ":" + dir + " (its dump " + manifest.dump().name() + " is missing)");
                    continue;
                }
                BackupLocation location = new BackupLocation(store.name(), dir + manifest.dump().name(), o.key(), dumpSize.get(),
                        manifest.dump().sha256(), null, dumpSize.get() == manifest.dump().sizeBytes() ? null
                        : "size " + dumpSize.get() + " differs from the manifest's " + manifest.dump().sizeBytes());
                found.computeIfAbsent(manifest.backupId(), id -> Backup.of(manifest, dir, new ArrayList<>())).locations.add(location);
            }
        }
        int created = 0;
        int existing = 0;
        for (Backup b : found.values()) {
            try {
                if (catalog.addIfAbsent(b)) {
                    created++;
                    LOG.infof("catalog rebuild: recreated backup %s of target %s from %s", b.id, b.target,
                            b.locations.stream().map(BackupLocation::storage).toList());
                } else {
                    existing++;
                }
            } catch (RuntimeException e) {
                skipped.add("backup " + b.id + " (its manifest does not make a valid catalog row: " + e.getMessage() + ")");
            }
        }
        for (String s : skipped) {
            LOG.warnf("catalog rebuild: skipped %s", s);
        }
        return JobOutcome.succeeded(new CatalogRebuildResult(manifests, found.size(), created, existing, skipped));
    }
}
