package dev.lifeboat.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/** One page of a list; pass {@code nextCursor} as {@code cursor} to get the next page (null at the end). */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Page<T>(List<T> items, @Schema(description = "Opaque cursor of the next page; null on the last page") String nextCursor) {
}
