package dev.lifeboat.storage;

import org.jboss.logging.Logger;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Objects as files under a root directory; a key {@code a/b/c} is the file {@code <root>/a/b/c}.
 *
 * <p>An upload writes a temporary file ({@code .lifeboat-upload-<random>}) in the object's own
 * directory; {@link Upload#commit()} fsyncs it, renames it over the key atomically and fsyncs the
 * directory (and each directory the upload created), so after a crash a key holds either its old
 * object or the complete new one, never a part. Temporary files are never listed; a crash can leave
 * one behind, which is safe to delete.
 *
 * <p>The root's parent must exist: Lifeboat creates the root itself ({@code ./data/backups} on a first
 * run), but not a whole missing path, so a misspelt path or a volume mounted elsewhere is reported
 * instead of silently filling another disk. Keys are checked by {@link BlobKeys} and each
 * resolved path is checked to stay under the root.
 */
public class FilesystemBlobStore implements BlobStore {
    private static final Logger LOG = Logger.getLogger(FilesystemBlobStore.class);
    private static final String TEMP_PREFIX = BlobKeys.RESERVED + "upload-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Path root;

    public FilesystemBlobStore(String name, Path root) {
        this.name = name;
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        return name;
    }

    /** The directory objects are stored under. */
    public Path root() {
        return root;
    }

    @Override
    public Upload create(String key) throws IOException {
        Path target = resolve(key);
        requireRoot(key);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new BlobStoreException(name, key, target + " is a directory (objects exist below this key)",
                    "use a key that is not the beginning of other keys", null);
        }
        Path dir = target.getParent();
        List<Path> createdDirs = createDirectories(key, dir);
        Path temp = dir.resolve(TEMP_PREFIX + HexFormat.of().formatHex(randomBytes()));
        FileChannel channel;
        try {
            channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            throw new BlobStoreException(name, key, "Cannot create " + temp + ": permission denied",
                    "make " + dir + " writable by the user Lifeboat runs as", e);
        } catch (IOException e) {
            throw new BlobStoreException(name, key, "Cannot create " + temp + ": " + e,
                    "check that " + dir + " is a writable directory with free space", e);
        }
        return new FilesystemUpload(key, target, temp, channel, createdDirs);
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path file = resolve(key);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchObjectException(name, key);
        }
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException(name, key);
        } catch (IOException e) {
            throw new BlobStoreException(name, key, "Cannot read " + file + ": " + e,
                    "check the file's permissions and the disk", e);
        }
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        Path file = resolve(key);
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? Optional.of(a.size()) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BlobStoreException(name, key, "Cannot read the attributes of " + file + ": " + e,
                    "check the directory's permissions", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        BlobKeys.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        // Walk only the deepest directory the prefix names completely; filter the rest by string.
        Path start = slash < 0 ? root : resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        List<ObjectInfo> found = new ArrayList<>();
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile()) {
                        return FileVisitResult.CONTINUE;
                    }
                    String key = keyOf(file);
                    if (key.startsWith(prefix) && BlobKeys.isValid(key)) {
                        found.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // renamed or deleted while we walked
                    }
                    throw e;
                }
            });
        } catch (IOException e) {
            throw new BlobStoreException(name, prefix, "Cannot list " + start + ": " + e,
                    "check the directory's permissions", e);
        }
        found.sort(Comparator.comparing(ObjectInfo::key));
        return found;
    }

    @Override
    public int abortIncompleteUploads(String prefix) throws IOException {
        BlobKeys.checkPrefix(prefix);
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        List<Path> temps = new ArrayList<>();
        try (java.util.stream.Stream<Path> s = Files.walk(start)) {
            s.filter(p -> p.getFileName().toString().startsWith(TEMP_PREFIX) && keyOf(p).startsWith(prefix)).forEach(temps::add);
        } catch (IOException | UncheckedIOException e) {
            throw new BlobStoreException(name, prefix, "Cannot look for interrupted uploads under " + start + ": " + e,
                    "check the directory's permissions", e instanceof IOException io ? io : null);
        }
        for (Path t : temps) {
            try {
                Files.deleteIfExists(t);
            } catch (IOException e) {
                throw new BlobStoreException(name, prefix, "Cannot delete the interrupted upload " + t + ": " + e,
                        "check the directory's permissions", e);
            }
        }
        return temps.size();
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = resolve(key);
        try {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                return; // a directory is not an object; there is nothing under this key
            }
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BlobStoreException(name, key, "Cannot delete " + file + ": " + e,
                    "check the directory's permissions", e);
        }
        // Like S3, where a "directory" ends with its last object: remove the object's own directory once
        // it is empty (only that one: a parent shared with a backup being written right now stays).
        Path dir = file.getParent();
        if (dir != null && !dir.equals(root)) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException notEmptyOrBusy) {
                // other objects are still there
            }
        }
    }

    @Override
    public void checkReachable() throws BlobStoreException {
        requireRoot(null);
        Path probe = root.resolve(BlobKeys.RESERVED + "probe-" + HexFormat.of().formatHex(randomBytes()));
        try {
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
        } catch (IOException e) {
            throw new BlobStoreException(name, null, "Directory " + root + " is not writable: " + e,
                    "give the user Lifeboat runs as write permission on it (e.g. chown, or fsGroup in Kubernetes)", e);
        }
    }

    @Override
    public String toString() {
        return "filesystem store " + name + " at " + root;
    }

    /** Validates a key and returns its path, which is always under the root. */
    private Path resolve(String key) {
        Path path = root.resolve(BlobKeys.check(key)).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("Invalid key '" + key + "': it leaves the store's root " + root);
        }
        return path;
    }

    private String keyOf(Path file) {
        Path relative = root.relativize(file);
        StringBuilder key = new StringBuilder();
        for (Path segment : relative) {
            if (key.length() > 0) {
                key.append('/');
            }
            key.append(segment);
        }
        return key.toString();
    }

    private void requireRoot(String key) throws BlobStoreException {
        Path parent = root.getParent();
        if (!Files.exists(root) && parent != null && Files.isDirectory(parent)) {
            try {
                Files.createDirectory(root);
                LOG.infof("created the directory %s of storage %s", root, name);
            } catch (FileAlreadyExistsException e) {
                // created at the same moment by another upload
            } catch (IOException e) {
                throw new BlobStoreException(name, key, "Cannot create directory " + root + ": " + e,
                        "create it, or give the user Lifeboat runs as write permission on " + parent, e);
            }
        }
        if (!Files.isDirectory(root)) {
            throw new BlobStoreException(name, key, "Directory " + root + (Files.exists(root) ? " is not a directory" : " does not exist"),
                    "create it (or mount the backup volume there), or fix lifeboat.storage." + name + ".path", null);
        }
    }

    /** Creates the missing directories between the root and {@code dir}; returns those it created, outermost first. */
    private List<Path> createDirectories(String key, Path dir) throws BlobStoreException {
        List<Path> missing = new ArrayList<>();
        for (Path d = dir; !d.equals(root) && !Files.isDirectory(d); d = d.getParent()) {
            missing.add(0, d);
        }
        List<Path> created = new ArrayList<>();
        for (Path d : missing) {
            try {
                Files.createDirectory(d);
                created.add(d);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(d)) {
                    throw new BlobStoreException(name, key, d + " is a file, so no object can be stored below it",
                            "use a key that does not pass through an existing object", e);
                }
                // another upload created it at the same moment
            } catch (IOException e) {
                throw new BlobStoreException(name, key, "Cannot create directory " + d + ": " + e,
                        "check the permissions of " + d.getParent(), e);
            }
        }
        return created;
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    private final class FilesystemUpload extends Upload {
        private final String key;
        private final Path target;
        private final Path temp;
        private final FileChannel channel;
        private final OutputStream out;
        private final List<Path> createdDirs;
        private long written;
        private volatile boolean committed;
        private volatile boolean aborted;

        FilesystemUpload(String key, Path target, Path temp, FileChannel channel, List<Path> createdDirs) {
            this.key = key;
            this.target = target;
            this.temp = temp;
            this.channel = channel;
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            this.createdDirs = createdDirs;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public void write(int b) throws IOException {
            ensureWritable();
            try {
                out.write(b);
            } catch (IOException e) {
                throw writeFailed(e);
            }
            written++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureWritable();
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw writeFailed(e);
            }
            written += len;
        }

        @Override
        public StoredObject commit() throws IOException {
            ensureWritable();
            try {
                // Data first, then the name: the rename publishes a file whose bytes are already durable.
                out.flush();
                channel.force(true);
                channel.close();
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                committed = true;
                // The rename (and any new directory) is durable only once the directories are synced.
                fsyncDirectory(target.getParent());
                for (Path d : createdDirs) {
                    fsyncDirectory(d.getParent());
                }
            } catch (IOException e) {
                if (committed) {
                    throw new BlobStoreException(name, key, "Cannot fsync the directory of " + target + ": " + e,
                            "the object is in place but may not survive a power loss; check the disk", e);
                }
                if (aborted) {
                    throw abortedException(e);
                }
                abort();
                throw new BlobStoreException(name, key, "Cannot commit " + target + ": " + e,
                        "check free space and permissions in " + target.getParent(), e);
            }
            return new StoredObject(key, written, false);
        }

        @Override
        public void abort() {
            if (aborted) {
                return;
            }
            // A commit that already renamed the file wins; close() of a committed upload does nothing.
            synchronized (this) {
                if (committed || aborted) {
                    return;
                }
                aborted = true;
            }
            try {
                channel.close(); // a writer blocked in write() gets an AsynchronousCloseException
            } catch (IOException e) {
                LOG.debugf(e, "Closing %s", temp);
            }
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                LOG.warnf("Could not delete the aborted upload %s (store %s, key %s): %s. Hint: delete it by hand; it is never listed",
                        temp, name, key, e);
            }
        }

        private void ensureWritable() throws BlobStoreException {
            if (aborted) {
                throw abortedException(null);
            }
            if (committed) {
                throw new IllegalStateException("Upload of " + key + " to store " + name + " was already committed");
            }
        }

        private BlobStoreException writeFailed(IOException e) {
            if (aborted) {
                return abortedException(e);
            }
            abort();
            return new BlobStoreException(name, key, "Cannot write " + temp + ": " + e,
                    "check free space (df -h " + target.getParent() + ") and permissions", e);
        }

        private BlobStoreException abortedException(Throwable cause) {
            return new BlobStoreException(name, key, "The upload was aborted", "nothing was stored; start a new upload", cause);
        }
    }
}
