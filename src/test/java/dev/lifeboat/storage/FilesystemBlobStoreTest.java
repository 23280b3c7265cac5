package dev.lifeboat.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The contract on a directory, plus what only a filesystem can get wrong. */
class FilesystemBlobStoreTest extends BlobStoreContractTest {
    @TempDir
    Path tmp;

    Path root;

    @Override
    protected BlobStore newStore() throws IOException {
        root = Files.createDirectories(tmp.resolve("backups"));
        return new FilesystemBlobStore(NAME, root);
    }

    @Override
    protected boolean vouches() {
        return false; // a backup reads a filesystem copy back
    }

    @Override
    protected void assertNothingPending() throws IOException {
        assertThat(temporaryFiles()).isEmpty();
    }

    @Override
    protected void assertSomethingPending() throws IOException {
        assertThat(temporaryFiles()).hasSize(1);
    }

    private List<Path> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.getFileName().toString().startsWith(BlobKeys.RESERVED)).toList();
        }
    }

    @Test
    void anObjectIsAFileUnderTheRootAndItsTemporaryFileSitsBesideIt() throws Exception {
        try (Upload upload = store.create("mastodon/2026/01/31/7/dump")) {
            upload.write(new byte[] {1, 2, 3});
            assertThat(temporaryFiles()).singleElement()
                    .satisfies(p -> assertThat(p.getParent()).isEqualTo(root.resolve("mastodon/2026/01/31/7")));
            upload.commit();
        }
        assertThat(Files.readAllBytes(root.resolve("mastodon/2026/01/31/7/dump"))).containsExactly(1, 2, 3);
        assertNothingPending();
    }

    @Test
    void keysNeverLeaveTheRoot() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "not a backup");
        for (String key : List.of("../outside/secret", "a/../../outside/secret", "/" + outside.resolve("secret"), "..", "a/..")) {
            assertThatThrownBy(() -> store.open(key)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.create(key)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.delete(key)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> store.list("../outside/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.list("../")).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list("")).isEmpty();
        assertThat(Files.readString(outside.resolve("secret"))).isEqualTo("not a backup");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("backups", "outside");
        }
    }

    @Test
    void foreignAndLeftoverFilesAreNotListed() throws Exception {
        put("t/real", "x");
        Files.writeString(root.resolve("t/.lifeboat-upload-0123456789abcdef"), "crashed upload");
        Files.writeString(root.resolve("t/back\\slash"), "not a valid key");
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/real");
    }

    @Test
    void aMissingRootIsCreatedWhenItsParentExists() throws Exception {
        Path root = tmp.resolve("backups");
        BlobStore s = new FilesystemBlobStore("local", root);
        s.checkReachable();
        assertThat(root).isDirectory();
        try (Upload u = s.create("t/x")) {
            u.write(1);
            u.commit();
        }
        assertThat(s.size("t/x")).hasValue(1L);
    }

    @Test
    void aMissingRootWhoseParentIsMissingTooIsReportedAndNotCreated() throws Exception {
        Path missing = tmp.resolve("not-mounted/backups");
        BlobStore s = new FilesystemBlobStore("nas", missing);
        assertThatThrownBy(s::checkReachable).isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("Directory " + missing + " does not exist (store nas)")
                .hasMessageContaining("Hint: create it (or mount the backup volume there), or fix lifeboat.storage.nas.path");
        assertThatThrownBy(() -> s.create("t/x")).isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("does not exist (store nas, key t/x)");
        assertThat(missing).doesNotExist();
        assertThat(s.list("")).isEmpty();
        assertThat(s.size("t/x")).isEmpty();
    }

    @Test
    void aRootThatIsAFileIsReported() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        assertThatThrownBy(() -> new FilesystemBlobStore("nas", file).checkReachable())
                .hasMessageContaining("is not a directory (store nas)");
    }

    @Test
    void anUnwritableRootIsReported() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root may write anywhere");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assertThatThrownBy(store::checkReachable).isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining("is not writable (store " + NAME + ")")
                    .hasMessageContaining("Hint: give the user Lifeboat runs as write permission");
        } finally {
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aKeyBelowAnExistingObjectIsReported() throws Exception {
        put("t/dump", "x");
        assertThatThrownBy(() -> store.create("t/dump/more")).isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("is a file, so no object can be stored below it (store " + NAME + ", key t/dump/more)");
        assertThat(read("t/dump")).isEqualTo("x");
        assertThatThrownBy(() -> store.create("t")).isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("is a directory (objects exist below this key) (store " + NAME + ", key t)");
    }
}
