package dev.lifeboat.backup;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.UUID;

/** What a succeeded {@code verify} job found: the backup's status and each copy. */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record VerifyResult(UUID backupId, String status, long sizeBytes, String sha256, List<Copy> copies) {

    /** One stored copy: {@code problem} only when it is not ok. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Copy(String storage, String key, boolean ok, String problem) {
    }
}
