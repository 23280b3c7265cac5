package dev.lifeboat.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * SQL fixtures (under {@code src/test/resources/fixtures}) loaded into throwaway test databases with
 * the real {@code psql}.
 */
public final class Fixtures {
    /** A Mastodon-like database with objects of every kind a backup must keep; see the file's header. */
    public static final String EVERY_OBJECT_KIND = "/fixtures/every-object-kind.sql";

    /** Content of the large object named {@code hello.txt} in {@code social.media_attachments} of {@link #EVERY_OBJECT_KIND}. */
    public static final String HELLO_LARGE_OBJECT = "Hello, large object! ünïcødé 🐘";
    /** Size of the large object named {@code big.bin} (40000 chained sha256 digests). */
    public static final int BIG_LARGE_OBJECT_BYTES = 1_280_000;

    private Fixtures() {
    }

    /**
     * Loads {@link #EVERY_OBJECT_KIND} into {@code database}, which must be empty (about 2 s). Two loads
     * differ (trigger-set timestamps, large object oids): compare a database with a restore of its own backup.
     *
     * @throws IllegalStateException quoting psql's error if a statement fails
     */
    public static void loadEveryObjectKind(String database) {
        load(EVERY_OBJECT_KIND, database);
    }

    /**
     * Runs the classpath resource {@code resource} with {@code psql -X -q -v ON_ERROR_STOP=1} in
     * {@code database} (as the test superuser), stopping at the first error.
     */
    public static void load(String resource, String database) {
        try (InputStream sql = Fixtures.class.getResourceAsStream(resource)) {
            if (sql == null) {
                throw new IllegalArgumentException("no fixture " + resource + " on the test classpath");
            }
            PgCompare.runTool("psql", database, List.of("-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"), sql);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fixture " + resource, e);
        }
    }
}
