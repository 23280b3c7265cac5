package dev.lifeboat.storage;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real S3 endpoint (S3Proxy over HTTP) for every {@code @QuarkusTest}: the storages {@code s3}
 * (bucket {@code backups}, under the prefix {@code lifeboat}) and {@code flaky} (bucket {@code flaky},
 * whose part uploads fail while {@link #FAIL_PARTS} is set: a storage going bad in the middle of a
 * backup). Applies to all Quarkus tests, as the test configuration names these storages.
 */
public class S3TestResource implements QuarkusTestResourceLifecycleManager {
    public static final AtomicBoolean FAIL_PARTS = new AtomicBoolean();
    public static final AtomicInteger FAILED_PARTS = new AtomicInteger();
    private static S3ProxyServer server;

    /** The running server (for tests that inspect buckets and pending uploads). */
    public static S3ProxyServer server() {
        return server;
    }

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("lifeboat-s3proxy");
            server = S3ProxyServer.start(dir, 0, real -> new ForwardingBlobStore(real) {
                @Override
                public UploadPartResponse uploadMultipartPart(MultipartUpload mpu, UploadPartRequest request, InputStream in) {
                    if (FAIL_PARTS.get() && "flaky".equals(mpu.containerName())) {
                        FAILED_PARTS.incrementAndGet();
                        try {
                            in.transferTo(OutputStream.nullOutputStream());
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        throw new S3ProxyException(S3ErrorCode.INTERNAL_ERROR, "injected storage failure");
                    }
                    return super.uploadMultipartPart(mpu, request, in);
                }
            });
            server.createBucket("backups");
            server.createBucket("flaky");
            Files.createDirectories(Path.of("target/test-backups"));
            // The identity file the drills read (lifeboat.encryption.identity-file): a copy, so a test may swap in a wrong key.
            Files.createDirectories(Path.of("target/test-age"));
            Files.copy(Path.of("src/test/resources/age/test-identity.txt"), Path.of("target/test-age/identity.txt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start S3Proxy for the tests", e);
        }
        String endpoint = server.endpoint().toString();
        return Map.ofEntries(
                Map.entry("lifeboat.storage.s3.type", "s3"),
                Map.entry("lifeboat.storage.s3.endpoint", endpoint),
                Map.entry("lifeboat.storage.s3.bucket", "backups"),
                Map.entry("lifeboat.storage.s3.prefix", "lifeboat"),
                Map.entry("lifeboat.storage.s3.path-style", "true"),
                Map.entry("lifeboat.storage.s3.access-key-id", S3ProxyServer.IDENTITY),
                Map.entry("lifeboat.storage.s3.secret-access-key", S3ProxyServer.CREDENTIAL),
                Map.entry("lifeboat.storage.flaky.type", "s3"),
                Map.entry("lifeboat.storage.flaky.endpoint", endpoint),
                Map.entry("lifeboat.storage.flaky.bucket", "flaky"),
                Map.entry("lifeboat.storage.flaky.path-style", "true"),
                Map.entry("lifeboat.storage.flaky.part-size", "5M"),
                Map.entry("lifeboat.storage.flaky.access-key-id", S3ProxyServer.IDENTITY),
                Map.entry("lifeboat.storage.flaky.secret-access-key", S3ProxyServer.CREDENTIAL));
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.close();
            } catch (Exception ignored) {
                // the JVM is ending
            }
        }
    }

    /** Registers the resource for every Quarkus test (a resource applies to all tests unless restricted). */
    @QuarkusTestResource(S3TestResource.class)
    public static final class Registration {
    }
}
