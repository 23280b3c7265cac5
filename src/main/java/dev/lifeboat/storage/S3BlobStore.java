package dev.lifeboat.storage;

import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Objects in an S3 bucket (AWS or any S3-compatible service: MinIO, Ceph RGW, Cloudflare R2,
 * Backblaze B2, Wasabi, S3Proxy), under the configured key prefix.
 *
 * <p>Uploads are multipart uploads that are completed only by {@link Upload#commit()}, so an
 * object never becomes visible half-written; an upload that fails or is aborted sends
 * {@code AbortMultipartUpload} so that no parts are left behind (set a lifecycle rule that aborts
 * incomplete multipart uploads after a few days as a safety net for crashed replicas). Objects smaller
 * than one part go in a single {@code PutObject}. Part sizes and memory use: see {@link S3Settings}.
 *
 * <p>The client is the AWS SDK v2's synchronous {@link S3Client} over Apache HttpClient 5, with the SDK's
 * standard retries. It sends no flexible checksums unless an operation requires them
 * ({@code WHEN_REQUIRED}), because several S3-compatible services reject the SDK's newer default
 * ones; integrity is checked end to end by the backup's own SHA-256 instead.
 */
public class S3BlobStore implements BlobStore {
    private static final Logger LOG = Logger.getLogger(S3BlobStore.class);

    private final String name;
    private final S3Settings settings;
    private final S3Client s3;
    private final UploadMemory memory;

    /** A store whose uploads share {@code memory} with every other store of the replica. */
    public S3BlobStore(String name, S3Settings settings, UploadMemory memory) {
        this.name = name;
        this.settings = settings;
        this.memory = memory;
        this.s3 = buildClient(settings);
    }

    /** A store with an upload memory budget of its own (the default size). */
    public S3BlobStore(String name, S3Settings settings) {
        this(name, settings, new UploadMemory(UploadMemory.defaultBudget()));
    }

    private static S3Client buildClient(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.accessKeyId().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId().get(), settings.secretAccessKey().orElseThrow()))
                : DefaultCredentialsProvider.builder().build();
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials);
        settings.endpoint().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    @Override
    public String name() {
        return name;
    }

    /** The settings this store was built with. */
    public S3Settings settings() {
        return settings;
    }

    @Override
    public Upload create(String key) {
        BlobKeys.check(key);
        return new S3Upload(this, key, memory);
    }

    @Override
    public InputStream open(String key) throws IOException {
        String objectKey = objectKey(key);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = s3.getObject(b -> b.bucket(settings.bucket()).key(objectKey));
        } catch (SdkException e) {
            if (isNotFound(e) && !isNoSuchBucket(e)) {
                throw new NoSuchObjectException(name, key);
            }
            throw failure(key, "Opening the object", e);
        }
        return new ObjectStream(in);
    }

    @Override
    public Optional<Long> size(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            HeadObjectResponse head = s3.headObject(b -> b.bucket(settings.bucket()).key(objectKey));
            return Optional.of(head.contentLength());
        } catch (SdkException e) {
            if (isNotFound(e)) {
                // HEAD has no error body, so a missing bucket also looks like this; listing tells them apart.
                return Optional.empty();
            }
            throw failure(key, "Reading the object's size", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        BlobKeys.checkPrefix(prefix);
        String base = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        List<ObjectInfo> found = new ArrayList<>();
        try {
            ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(settings.bucket()).prefix(base + prefix).build();
            for (S3Object o : s3.listObjectsV2Paginator(request).contents()) {
                String key = o.key().substring(base.length());
                if (BlobKeys.isValid(key)) { // skips "folder" markers and keys Lifeboat could not read back
                    found.add(new ObjectInfo(key, o.size(), o.lastModified()));
                }
            }
        } catch (SdkException e) {
            throw failure(prefix, "Listing", e);
        }
        found.sort(Comparator.comparing(ObjectInfo::key));
        return found;
    }

    @Override
    public int abortIncompleteUploads(String prefix) throws IOException {
        BlobKeys.checkPrefix(prefix);
        String base = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        int aborted = 0;
        try {
            for (software.amazon.awssdk.services.s3.model.MultipartUpload u : s3.listMultipartUploadsPaginator(
                    b -> b.bucket(settings.bucket()).prefix(base + prefix)).uploads()) {
                s3.abortMultipartUpload(b -> b.bucket(settings.bucket()).key(u.key()).uploadId(u.uploadId()));
                aborted++;
            }
        } catch (SdkException e) {
            throw failure(prefix, "Aborting interrupted uploads", e);
        }
        return aborted;
    }

    @Override
    public void delete(String key) throws IOException {
        String objectKey = objectKey(key);
        try {
            s3.deleteObject(b -> b.bucket(settings.bucket()).key(objectKey));
        } catch (SdkException e) {
            if (isNotFound(e) && !isNoSuchBucket(e)) {
                return;
            }
            throw failure(key, "Deleting the object", e);
        }
    }

    /** Lists at most one key under the prefix: proves the endpoint, the credentials, the bucket and list permission. */
    @Override
    public void checkReachable() throws BlobStoreException {
        String base = settings.prefix().isEmpty() ? "" : settings.prefix() + "/";
        try {
            s3.listObjectsV2(b -> b.bucket(settings.bucket()).prefix(base).maxKeys(1));
        } catch (SdkException e) {
            throw failure(null, "Listing the bucket", e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    @Override
    public String toString() {
        return "S3 store " + name + " (" + settings + ")";
    }

    S3Client client() {
        return s3;
    }

    /** The key in the bucket: the configured prefix, '/', the key. */
    String objectKey(String key) {
        BlobKeys.check(key);
        return settings.prefix().isEmpty() ? key : settings.prefix() + "/" + key;
    }

    /**
     * Turns an SDK failure into a {@link BlobStoreException} naming the store and key, with the S3
     * error code, HTTP status and request id when there are some, and a hint.
     *
     * @param key    the key concerned, or null
     * @param action what was being done, e.g. "Uploading part 3"
     */
    BlobStoreException failure(String key, String action, Throwable e) {
        String endpoint = settings.endpoint().map(URI::toString).orElse("AWS S3 (" + settings.region() + ")");
        String bucket = settings.bucket();
        String conf = "lifeboat.storage." + name;
        if (e instanceof S3Exception s3e) {
            String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
            String message = s3e.awsErrorDetails() == null ? s3e.getMessage() : s3e.awsErrorDetails().errorMessage();
            int status = s3e.statusCode();
            String problem = action + " failed: S3 error " + (code == null ? "" : code + " ") + "(HTTP " + status + ")"
                    + (message == null ? "" : ": " + message) + (s3e.requestId() == null ? "" : " [request id " + s3e.requestId() + "]");
            String hint;
            if (isNoSuchBucket(e) || (key == null && status == 404)) {
                problem = "Bucket " + bucket + " does not exist at " + endpoint + ". " + problem;
                hint = "create the bucket, or fix " + conf + ".bucket" + (settings.pathStyle() || settings.endpoint().isEmpty() ? "" : " (or set " + conf + ".path-style=true for self-hosted services)");
            } else if ("InvalidAccessKeyId".equals(code) || "SignatureDoesNotMatch".equals(code) || status == 401
                    || (status == 403 && code == null)) {
                problem = endpoint + " rejected the credentials. " + problem;
                hint = "check " + conf + ".access-key-id and " + conf + ".secret-access-key (or the AWS credentials chain when they are not set)";
            } else if ("RequestTimeTooSkewed".equals(code)) {
                hint = "this machine's clock is off; S3 rejects requests more than 15 minutes away from its time (run NTP)";
            } else if (status == 403) {
                hint = "grant the access key s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject and s3:AbortMultipartUpload on bucket " + bucket;
            } else if (status >= 500) {
                hint = "the service failed (after the SDK's retries); the job's retry will try again, and the provider's status page may say more";
            } else {
                hint = "look the S3 error code up in the provider's documentation";
            }
            return new BlobStoreException(name, key, problem, hint, e);
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("Unable to load credentials")) {
            return new BlobStoreException(name, key, action + " failed: no AWS credentials found",
                    "set " + conf + ".access-key-id and " + conf + ".secret-access-key, or provide credentials to the default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, an IAM role)", e);
        }
        if (hasCause(e, UnknownHostException.class)) {
            return new BlobStoreException(name, key, action + " failed: unknown host: " + rootMessage(e),
                    "check " + conf + ".endpoint" + (settings.pathStyle() ? "" : "; self-hosted services usually need " + conf + ".path-style=true"), e);
        }
        if (hasCause(e, ConnectException.class)) {
            return new BlobStoreException(name, key, action + " failed: cannot connect to " + endpoint + ": " + rootMessage(e),
                    "check " + conf + ".endpoint and that the service is up and reachable from this machine", e);
        }
        return new BlobStoreException(name, key, action + " failed: " + rootMessage(e),
                "check " + conf + ".endpoint and the network to " + endpoint + "; the job's retry will try again", e);
    }

    static boolean isNotFound(Throwable e) {
        return e instanceof S3Exception s3e && s3e.statusCode() == 404;
    }

    static boolean isNoSuchBucket(Throwable e) {
        return e instanceof S3Exception s3e && s3e.awsErrorDetails() != null && "NoSuchBucket".equals(s3e.awsErrorDetails().errorCode());
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage();
        return root == e || message == null ? String.valueOf(message) : message + " (" + root + ")";
    }

    /**
     * An object's body. Closing it before the end aborts the HTTP connection instead of reading the
     * rest of a possibly huge object just to reuse the connection.
     */
    private static final class ObjectStream extends FilterInputStream {
        private final ResponseInputStream<GetObjectResponse> response;
        private boolean eof;

        ObjectStream(ResponseInputStream<GetObjectResponse> response) {
            super(response);
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            eof |= b < 0;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            eof |= n < 0;
            return n;
        }

        @Override
        public void close() throws IOException {
            if (!eof) {
                response.abort();
            }
            super.close();
        }
    }

    static void logAbortFailure(String store, String key, String uploadId, Throwable e) {
        LOG.warnf("Could not abort multipart upload %s of %s (store %s): %s. Hint: its parts still take space until "
                + "aborted; a bucket lifecycle rule 'AbortIncompleteMultipartUpload' cleans them up", uploadId, key, store, e.toString());
    }
}
