package dev.lifeboat.pg;

import java.util.Objects;

/**
 * A table as a pg_dump archive names it: its schema (the TOC entry's {@code namespace}) and its name
 * (the entry's {@code tag}), both unquoted, exactly as stored in the catalogs ({@code My Schema},
 * {@code Weird.Name}). Quote them with {@code quote_ident} before putting them into SQL.
 */
public record TableName(String schema, String name) {
    public TableName {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(name, "name");
    }

    /** {@code schema.name}, unquoted: for messages only (it is ambiguous when a name holds a dot). */
    @Override
    public String toString() {
        return schema + "." + name;
    }
}
