package dev.lifeboat.storage;

import org.gaul.s3proxy.S3ErrorCode;
import org.gaul.s3proxy.S3ProxyException;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.domain.MultipartUpload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.lifeboat.storage.TestData.MiB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract against a real S3 endpoint (S3Proxy over HTTP, path-style, AWS signatures), with the
 * store's keys under a prefix; plus failures only S3 has: missing bucket, wrong credentials, an
 * endpoint that goes away mid-upload, a part the server rejects.
 */
class S3BlobStoreTest extends BlobStoreContractTest {
    static final String PREFIX = "lifeboat/prod";
    static final AtomicInteger BUCKETS = new AtomicInteger();

    @TempDir
    static Path s3Dir;
    static S3ProxyServer s3;

    String bucket;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = S3ProxyServer.start(s3Dir);
    }

    @AfterAll
    static void stopS3() throws Exception {
        s3.close();
    }

    @Override
    protected BlobStore newStore() {
        bucket = "test-" + BUCKETS.incrementAndGet();
        s3.createBucket(bucket);
        return new S3BlobStore(NAME, s3.settings(bucket).prefix("/" + PREFIX + "/").partSize(PART_SIZE).build());
    }

    @Override
    protected boolean vouches() {
        return true; // S3Proxy, like S3, checks each part's x-amz-checksum-sha256 and returns the composite checksum
    }

    @Override
    protected void assertNothingPending() {
        assertThat(s3.pendingUploads(bucket)).isEmpty();
    }

    /** What makes a vouched copy worth trusting: the endpoint refuses a part whose bytes do not match the SHA-256 sent with it. */
    @Test
    void theEndpointRefusesAPartWhoseBytesDoNotMatchItsSha256() {
        S3Client client = s3.admin();
        {
            String id = client.createMultipartUpload(b -> b.bucket(bucket).key("t/x").checksumAlgorithm(ChecksumAlgorithm.SHA256)).uploadId();
            String shaOfOtherBytes = java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex(TestData.sha256("other bytes".getBytes())));
            assertThatThrownBy(() -> client.uploadPart(b -> b.bucket(bucket).key("t/x").uploadId(id).partNumber(1)
                    .checksumSHA256(shaOfOtherBytes), RequestBody.fromString("these bytes")))
                    .isInstanceOf(S3Exception.class).hasMessageContaining("400");
            client.abortMultipartUpload(b -> b.bucket(bucket).key("t/x").uploadId(id));
        }
    }

    @Override
    protected void assertSomethingPending() {
        assertThat(s3.pendingUploads(bucket)).hasSize(1);
    }

    @Test
    void keysLiveUnderTheConfiguredPrefix() throws Exception {
        put("t/dump", "x");
        try (S3BlobStore whole = new S3BlobStore("whole", s3.settings(bucket).build())) {
            put(whole, "other/thing", "y");
            assertThat(whole.list("")).extracting(ObjectInfo::key).containsExactly("lifeboat/prod/t/dump", "other/thing");
        }
        assertThat(s3.admin().listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key)
                .containsExactly("lifeboat/prod/t/dump", "other/thing");
        assertThat(store.list("")).extracting(ObjectInfo::key).containsExactly("t/dump");
        assertThat(read("t/dump")).isEqualTo("x");
    }

    @Test
    void aMissingBucketIsReportedClearly() throws Exception {
        try (S3BlobStore missing = new S3BlobStore("offsite", s3.settings("no-such-bucket").partSize(PART_SIZE).build())) {
            String expected = "Bucket no-such-bucket does not exist at " + s3.endpoint();
            assertThatThrownBy(missing::checkReachable).isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining(expected).hasMessageContaining("NoSuchBucket").hasMessageContaining("(store offsite)")
                    .hasMessageContaining("Hint: create the bucket, or fix lifeboat.storage.offsite.bucket");
            assertThatThrownBy(() -> put(missing, "t/small", "x")).isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining(expected).hasMessageContaining("(store offsite, key t/small)").hasMessageContaining("Hint:");
            assertThatThrownBy(() -> {
                try (Upload upload = missing.create("t/big")) {
                    TestData.write(upload, 1, 6L * MiB);
                }
            }).isInstanceOf(BlobStoreException.class).hasMessageContaining(expected)
                    .hasMessageContaining("Starting the multipart upload").hasMessageContaining("(store offsite, key t/big)");
            assertThatThrownBy(() -> missing.open("t/x")).isInstanceOf(BlobStoreException.class)
                    .isNotInstanceOf(NoSuchObjectException.class).hasMessageContaining(expected);
            assertThatThrownBy(() -> missing.list("")).hasMessageContaining(expected);
        }
    }

    @Test
    void wrongCredentialsAreReportedClearly() throws Exception {
        try (S3BlobStore wrongSecret = new S3BlobStore("offsite", s3.settings(bucket).credentials(S3ProxyServer.IDENTITY, "wrong").build());
             S3BlobStore wrongKey = new S3BlobStore("offsite", s3.settings(bucket).credentials("AKIAUNKNOWN", S3ProxyServer.CREDENTIAL).build())) {
            for (S3BlobStore s : new S3BlobStore[] {wrongSecret, wrongKey}) {
                assertThatThrownBy(s::checkReachable).isInstanceOf(BlobStoreException.class)
                        .hasMessageContaining(s3.endpoint() + " rejected the credentials")
                        .hasMessageContaining("(store offsite)")
                        .hasMessageContaining("Hint: check lifeboat.storage.offsite.access-key-id and lifeboat.storage.offsite.secret-access-key");
                assertThatThrownBy(() -> put(s, "t/x", "x")).hasMessageContaining("rejected the credentials");
            }
            assertThatThrownBy(wrongSecret::checkReachable).hasMessageContaining("SignatureDoesNotMatch");
            assertThatThrownBy(wrongKey::checkReachable).hasMessageContaining("InvalidAccessKeyId");
        }
        assertThat(store.list("")).isEmpty();
    }

    @Test
    void anUnreachableEndpointIsReportedClearly() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        S3Settings settings = S3Settings.builder("bucket").endpoint(java.net.URI.create("http://127.0.0.1:" + closedPort))
                .pathStyle(true).credentials("a", "b").build();
        try (S3BlobStore unreachable = new S3BlobStore("offsite", settings)) {
            assertThatThrownBy(unreachable::checkReachable).isInstanceOf(BlobStoreException.class)
                    .hasMessageContaining("cannot connect to http://127.0.0.1:" + closedPort)
                    .hasMessageContaining("Hint: check lifeboat.storage.offsite.endpoint");
        }
    }

    @Test
    void aPartTheServerRejectsAbortsTheWholeUpload(@TempDir Path dir) throws Exception {
        AtomicInteger rejected = new AtomicInteger();
        try (S3ProxyServer faulty = S3ProxyServer.start(dir, 0, real -> new ForwardingBlobStore(real) {
            @Override
            public UploadPartResponse uploadMultipartPart(MultipartUpload mpu, UploadPartRequest request, InputStream in) {
                if (request.partNumber() == 3) {
                    rejected.incrementAndGet();
                    try {
                        in.transferTo(java.io.OutputStream.nullOutputStream()); // so that the client reads the 500, not a broken pipe
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    throw new S3ProxyException(S3ErrorCode.INTERNAL_ERROR, "injected failure of part 3");
                }
                return super.uploadMultipartPart(mpu, request, in);
            }
        })) {
            faulty.createBucket("bucket");
            try (S3BlobStore s = new S3BlobStore("offsite", faulty.settings("bucket").partSize(PART_SIZE).build())) {
                assertThatThrownBy(() -> {
                    try (Upload upload = s.create("t/dump")) {
                        TestData.write(upload, 1, 23L * MiB);
                        upload.commit();
                    }
                }).isInstanceOf(BlobStoreException.class)
                        .hasMessageContaining("Uploading part 3 (5242880 bytes) failed: S3 error InternalError (HTTP 500)")
                        .hasMessageContaining("(store offsite, key t/dump)")
                        .hasMessageContaining("Hint:");
                assertThat(rejected.get()).isGreaterThanOrEqualTo(1); // the SDK retried it
                assertThat(s.list("")).isEmpty();
                assertThat(faulty.pendingUploads("bucket")).isEmpty();
            }
        }
    }

    @Test
    void anEndpointGoingAwayMidUploadFailsClearlyAndLeavesNoObject(@TempDir Path dir) throws Exception {
        S3ProxyServer flaky = S3ProxyServer.start(dir);
        int port = flaky.port();
        flaky.createBucket("bucket");
        S3BlobStore s = new S3BlobStore("flaky", flaky.settings("bucket").partSize(PART_SIZE).build());
        Upload upload = s.create("t/dump");
        TestData.write(upload, 1, 11L * MiB); // two parts sent
        assertThat(flaky.pendingUploads("bucket")).hasSize(1);
        flaky.close();
        assertThatThrownBy(() -> {
            TestData.write(upload, 2, 12L * MiB);
            upload.commit();
        }).isInstanceOf(BlobStoreException.class)
                .hasMessageContaining("(store flaky, key t/dump)")
                .hasMessageContaining("cannot connect to http://127.0.0.1:" + port)
                .hasMessageContaining("Hint:");
        upload.close();

        try (S3ProxyServer again = S3ProxyServer.start(dir, port, real -> real)) {
            assertThat(s.size("t/dump")).isEmpty();
            assertThat(s.list("")).isEmpty();
            assertThatThrownBy(() -> s.open("t/dump")).isInstanceOf(NoSuchObjectException.class);
        } finally {
            s.close();
        }
    }

    @Test
    void settingsNeverShowTheSecret() {
        assertThat(s3.settings(bucket).build().toString()).contains(S3ProxyServer.IDENTITY).doesNotContain(S3ProxyServer.CREDENTIAL);
        assertThat(store.toString()).doesNotContain(S3ProxyServer.CREDENTIAL);
    }

    static void put(BlobStore s, String key, String content) throws java.io.IOException {
        try (Upload upload = s.create(key)) {
            upload.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            upload.commit();
        }
    }

}
