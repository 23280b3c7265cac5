package dev.lifeboat.storage;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.awaitility.Awaitility.await;

/**
 * A real S3 endpoint for tests: S3Proxy in this JVM, on a random localhost port, storing objects as
 * files under a directory, with AWS signature authentication. Not a mock: requests go over HTTP
 * through the same SDK and client Lifeboat uses in production.
 */
public final class S3ProxyServer implements AutoCloseable {
    static final String IDENTITY = "lifeboat-test-access-key";
    static final String CREDENTIAL = "lifeboat-test-secret-key";

    private final S3Proxy proxy;
    private final URI endpoint;
    private final S3Client admin;

    private S3ProxyServer(S3Proxy proxy, URI endpoint) {
        this.proxy = proxy;
        this.endpoint = endpoint;
        this.admin = S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .httpClientBuilder(Apache5HttpClient.builder())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .build();
    }

    /** Starts S3Proxy on a random port, storing under {@code dir}. */
    public static S3ProxyServer start(Path dir) throws Exception {
        return start(dir, 0, UnaryOperator.identity());
    }

    /**
     * Starts S3Proxy on {@code port} (0: any free one), storing under {@code dir}, its storage
     * optionally wrapped (to inject a server-side fault).
     */
    public static S3ProxyServer start(Path dir, int port, UnaryOperator<org.gaul.s3proxy.blobstore.BlobStore> wrap) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(wrap.apply(new FilesystemNio2BlobStore(dir.toString())))
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, IDENTITY, CREDENTIAL)
                .build();
        proxy.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(proxy.getState()));
        return new S3ProxyServer(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
    }

    public URI endpoint() {
        return endpoint;
    }

    int port() {
        return endpoint.getPort();
    }

    /** A client with the server's credentials, for setting up and inspecting buckets. */
    public S3Client admin() {
        return admin;
    }

    public void createBucket(String bucket) {
        admin.createBucket(b -> b.bucket(bucket));
    }

    /** Multipart uploads started and neither completed nor aborted. */
    public List<MultipartUpload> pendingUploads(String bucket) {
        return admin.listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }

    /** Settings for a store on this server with the right credentials and path-style addressing. */
    S3Settings.Builder settings(String bucket) {
        return S3Settings.builder(bucket).endpoint(endpoint).pathStyle(true).credentials(IDENTITY, CREDENTIAL);
    }

    @Override
    public void close() throws Exception {
        admin.close();
        proxy.stop();
    }
}
