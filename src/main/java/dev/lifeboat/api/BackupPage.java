package dev.lifeboat.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** OpenAPI shape of a page of backups (the wire type is {@link Page}). */
@Schema(name = "BackupPage")
public record BackupPage(List<BackupView> items, @Schema(description = "Opaque cursor of the next page; null on the last page") String nextCursor) {
}
