package dev.lifeboat.backup;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What a catalog rebuild did.
 *
 * @param manifests manifests found in every storage
 * @param backups   distinct backups they describe
 * @param created   catalog rows recreated
 * @param existing  backups already in the catalog
 * @param skipped   what could not be used, each with the reason
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record CatalogRebuildResult(int manifests, int backups, int created, int existing, List<String> skipped) {
}
