package dev.lifeboat.restore;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One check of a restored database (a drill reports them all; a replace restore requires them to
 * pass). Job results show it as {@code {"name", "passed", "detail"}}.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Check(String name, boolean passed, String detail) {
}
