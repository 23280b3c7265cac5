package dev.lifeboat.backup;

import dev.lifeboat.job.JobContext;
import dev.lifeboat.job.JobHandler;
import dev.lifeboat.job.JobKind;
import dev.lifeboat.job.JobOutcome;
import dev.lifeboat.job.PermanentJobException;
import dev.lifeboat.storage.BlobStore;
import dev.lifeboat.storage.BlobStores;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The {@code verify} job ({@link VerifyArgs#backupId()}): reads every stored copy of a backup back and checks
 * its size and SHA-256 against the catalog, and that its manifest is still there. The backup becomes
 * {@code damaged} when a copy is missing or differs, {@code available} again when all match. A store
 * that cannot be reached fails the attempt (retried) instead of marking copies damaged.
 */
@ApplicationScoped
public class VerifyHandler implements JobHandler<VerifyArgs, VerifyResult> {

    @Inject
    BackupCatalog catalog;
    @Inject
    BlobStores blobStores;
    @Inject
    Clock clock;

    @Override
    public String kind() {
        return JobKind.VERIFY.id();
    }

    @Override
    public Class<VerifyArgs> argsType() {
        return VerifyArgs.class;
    }

    @Override
    public JobOutcome<VerifyResult> run(JobContext ctx, VerifyArgs args) throws Exception {
        UUID id = args.backupId();
        if (id == null) {
            throw new PermanentJobException("verify job without a backupId argument");
        }
        Backup backup = catalog.find(id).orElseThrow(() -> new PermanentJobException(
                "backup " + id + " is not in the catalog (deleted after the verify was queued?)"));
        long total = backup.sizeBytes * backup.locations.size();
        long done = 0;
        ctx.progress("verifying", 0L, total);
        List<BackupLocation> checked = new ArrayList<>();
        List<VerifyResult.Copy> copies = new ArrayList<>();
        for (BackupLocation loc : backup.locations) {
            ctx.throwIfCancelled();
            String problem;
            BlobStore store;
            try {
                store = blobStores.get(loc.storage());
            } catch (IllegalArgumentException e) {
                store = null;
            }
            if (store == null) {
                problem = "storage " + loc.storage() + " is no longer configured";
            } else {
                try {
                    problem = CopyCheck.problem(store, loc.key(), backup.sizeBytes, backup.sha256, ctx);
                    if (problem == null && loc.manifestKey() != null && store.size(loc.manifestKey()).isEmpty()) {
                        problem = "manifest " + loc.manifestKey() + " is missing";
                    }
                } catch (IOException e) {
                    throw new IOException("cannot read backup " + id + " from storage " + loc.storage() + ": " + e.getMessage(), e);
                }
            }
            Instant at = clock.instant();
            checked.add(new BackupLocation(loc.storage(), loc.key(), loc.manifestKey(), loc.sizeBytes(), loc.sha256(),
                    problem == null ? at : loc.verifiedAt(), problem));
            copies.add(new VerifyResult.Copy(loc.storage(), loc.key(), problem == null, problem));
            done += backup.sizeBytes;
            ctx.progress("verifying", done, total);
        }
        Backup after = catalog.recordVerify(id, checked, clock.instant()).orElseThrow(() -> new PermanentJobException(
                "backup " + id + " was deleted while it was being verified"));
        VerifyResult result = new VerifyResult(id, after.status, backup.sizeBytes, backup.sha256, copies);
        if (Backup.DAMAGED.equals(after.status)) {
            // The verification itself worked; its finding is that the backup is bad: fail the job so
            // that alerting on failed jobs catches it, without retrying (the data will not heal).
            throw new PermanentJobException("backup " + id + " is damaged: " + after.error);
        }
        return JobOutcome.succeeded(result);
    }
}
