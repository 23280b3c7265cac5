package dev.lifeboat.storage;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach one S3 bucket and how to upload to it. Built from {@code lifeboat.storage.<name>.*}
 * by {@link BlobStores}, or with {@link #builder(String)} in tests and tools.
 *
 * <h2>Multipart uploads and memory</h2>
 * An object is sent in parts of {@code partSize} bytes; the part size doubles every 1,000 parts up to
 * {@code maxPartSize} (at least {@code partSize}), because S3 allows at most 10,000 parts. With the
 * defaults (8 MiB, cap 64 MiB) 10,000 parts hold about 492 GiB. Each part is buffered in memory while
 * up to {@code uploadConcurrency} earlier parts are being sent, so one upload uses at most
 * {@code (uploadConcurrency + 1) × current part size} of heap: 24 MiB with the defaults, 48 MiB
 * once an object passes ~8 GiB (1,000 parts), 96 MiB past ~23 GiB and 192 MiB past ~55 GiB.
 *
 * @param endpoint          the S3-compatible endpoint (MinIO, Ceph, R2, B2, Wasabi, S3Proxy); empty for AWS
 * @param bucket            the bucket
 * @param region            the region (S3-compatible services usually accept any, e.g. us-east-1)
 * @param prefix            prepended with a '/' to every key ({@code ""} for none); never starts or ends with '/'
 * @param pathStyle         path-style addressing ({@code endpoint/bucket/key}), needed by most self-hosted services
 * @param accessKeyId       static credentials; empty to use the AWS SDK's default credentials chain
 * @param secretAccessKey   goes with {@code accessKeyId}; never printed
 * @param partSize          first part size in bytes, at least {@value #MIN_PART_SIZE}
 * @param maxPartSize       the largest part size the doubling reaches
 * @param uploadConcurrency parts of one upload sent at the same time, at least 1
 */
public record S3Settings(Optional<URI> endpoint, String bucket, String region, String prefix, boolean pathStyle,
                         Optional<String> accessKeyId, Optional<String> secretAccessKey,
                         long partSize, long maxPartSize, int uploadConcurrency) {

    /** S3's smallest part (all parts but the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** Parts are Java arrays; 1 GiB is far beyond any sensible setting and well within an array's limit. */
    public static final long MAX_PART_SIZE = 1024L * 1024 * 1024;
    public static final long DEFAULT_PART_SIZE = 8L * 1024 * 1024;
    public static final long DEFAULT_MAX_PART_SIZE = 64L * 1024 * 1024;
    public static final int DEFAULT_UPLOAD_CONCURRENCY = 2;
    /** S3's limit on the number of parts of one upload. */
    public static final int MAX_PARTS = 10_000;
    /** The part size doubles after each this many parts. */
    public static final int PARTS_PER_SIZE_STEP = 1_000;

    public S3Settings {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("S3 bucket is missing");
        }
        if (accessKeyId.isPresent() != secretAccessKey.isPresent()) {
            throw new IllegalArgumentException("access-key-id and secret-access-key go together");
        }
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("part-size " + partSize + " is outside [" + MIN_PART_SIZE + ", " + MAX_PART_SIZE + "] bytes");
        }
        if (uploadConcurrency < 1) {
            throw new IllegalArgumentException("upload-concurrency must be at least 1, not " + uploadConcurrency);
        }
        maxPartSize = Math.min(MAX_PART_SIZE, Math.max(partSize, maxPartSize));
        prefix = normalizePrefix(prefix);
    }

    /** Settings for a bucket with every default: AWS, us-east-1, no prefix, default credentials chain. */
    public static Builder builder(String bucket) {
        return new Builder(bucket);
    }

    /** The size of part {@code partNumber} (1-based): doubling every 1,000 parts, capped. */
    public long partSizeFor(int partNumber) {
        long size = partSize;
        for (int step = (partNumber - 1) / PARTS_PER_SIZE_STEP; step > 0 && size < maxPartSize; step--) {
            size *= 2;
        }
        return Math.min(size, maxPartSize);
    }

    /** The largest object one upload can hold with these part sizes. */
    public long maxObjectSize() {
        long total = 0;
        for (int step = 0; step < MAX_PARTS / PARTS_PER_SIZE_STEP; step++) {
            total += PARTS_PER_SIZE_STEP * partSizeFor(step * PARTS_PER_SIZE_STEP + 1);
        }
        return total;
    }

    /** The memory one upload may hold at most: {@code (uploadConcurrency + 1) × maxPartSize}. */
    public long maxUploadMemory() {
        return (uploadConcurrency + 1L) * maxPartSize;
    }

    @Override
    public String toString() {
        return "S3Settings[endpoint=" + endpoint.map(URI::toString).orElse("(AWS)") + ", bucket=" + bucket
                + ", region=" + region + ", prefix=" + prefix + ", pathStyle=" + pathStyle
                + ", credentials=" + (accessKeyId.isPresent() ? "static " + accessKeyId.get() : "default chain")
                + ", partSize=" + partSize + ", maxPartSize=" + maxPartSize + ", uploadConcurrency=" + uploadConcurrency + "]";
    }

    private static String normalizePrefix(String prefix) {
        String p = prefix == null ? "" : prefix.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (!p.isEmpty() && !BlobKeys.isValid(p)) {
            throw new IllegalArgumentException("prefix '" + prefix + "' is not a valid key path (no empty, '.' or '..' segments, backslashes or control characters)");
        }
        return p;
    }

    /** Builds {@link S3Settings}; every setting but the bucket has a default. */
    public static final class Builder {
        private final String bucket;
        private Optional<URI> endpoint = Optional.empty();
        private String region = "us-east-1";
        private String prefix = "";
        private boolean pathStyle;
        private Optional<String> accessKeyId = Optional.empty();
        private Optional<String> secretAccessKey = Optional.empty();
        private long partSize = DEFAULT_PART_SIZE;
        private long maxPartSize = DEFAULT_MAX_PART_SIZE;
        private int uploadConcurrency = DEFAULT_UPLOAD_CONCURRENCY;

        private Builder(String bucket) {
            this.bucket = bucket;
        }

        public Builder endpoint(URI endpoint) {
            this.endpoint = Optional.ofNullable(endpoint);
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        public Builder pathStyle(boolean pathStyle) {
            this.pathStyle = pathStyle;
            return this;
        }

        public Builder credentials(String accessKeyId, String secretAccessKey) {
            this.accessKeyId = Optional.of(accessKeyId);
            this.secretAccessKey = Optional.of(secretAccessKey);
            return this;
        }

        public Builder partSize(long partSize) {
            this.partSize = partSize;
            return this;
        }

        public Builder maxPartSize(long maxPartSize) {
            this.maxPartSize = maxPartSize;
            return this;
        }

        public Builder uploadConcurrency(int uploadConcurrency) {
            this.uploadConcurrency = uploadConcurrency;
            return this;
        }

        public S3Settings build() {
            return new S3Settings(endpoint, bucket, region, prefix, pathStyle, accessKeyId, secretAccessKey,
                    partSize, maxPartSize, uploadConcurrency);
        }
    }
}
