package dev.lifeboat.storage;

/**
 * The rules every driver applies to keys, so that a key valid on one store is valid on all of them
 * and a filesystem store can never be led outside its root.
 *
 * <p>A key is a relative, '/'-separated path such as {@code mastodon/2026/01/31/42/dump.age}: not
 * empty, at most {@value #MAX_LENGTH} characters, no leading '/', no empty segment ({@code a//b},
 * trailing '/'), no {@code .} or {@code ..} segment, no backslash, no control character, and no
 * segment starting with {@value #RESERVED} (names Lifeboat keeps for uploads in progress).
 */
public final class BlobKeys {
    /** Segments starting with this are Lifeboat's own (in-progress uploads, probes) and never keys. */
    public static final String RESERVED = ".lifeboat-";
    /** S3's limit for a key is 1024 bytes; the store's prefix takes some of it. */
    public static final int MAX_LENGTH = 900;

    private static final String HINT = " Hint: keys are relative '/'-separated paths such as target/2026/01/31/42/dump";

    private BlobKeys() {
    }

    /**
     * Returns the key if it is valid.
     *
     * @throws IllegalArgumentException naming the key and the rule it breaks
     */
    public static String check(String key) {
        String problem = problem(key);
        if (problem != null) {
            throw new IllegalArgumentException("Invalid key " + quote(key) + ": " + problem + "." + HINT);
        }
        return key;
    }

    /** Whether {@link #check(String)} accepts the key. */
    public static boolean isValid(String key) {
        return problem(key) == null;
    }

    /**
     * Returns a listing prefix if it is valid: empty (everything), or the start of a key. Every
     * complete segment (before a '/') follows the key rules; the last, partial one may be empty.
     *
     * @throws IllegalArgumentException naming the prefix and the rule it breaks
     */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("Invalid prefix null: use \"\" to list everything." + HINT);
        }
        if (prefix.isEmpty()) {
            return prefix;
        }
        int slash = prefix.lastIndexOf('/');
        String problem = slash < 0 ? characterProblem(prefix) : problem(prefix.substring(0, slash));
        if (problem == null && slash >= 0) {
            problem = characterProblem(prefix.substring(slash + 1));
        }
        if (problem != null) {
            throw new IllegalArgumentException("Invalid prefix " + quote(prefix) + ": " + problem + "." + HINT);
        }
        return prefix;
    }

    private static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "it is empty";
        }
        if (key.length() > MAX_LENGTH) {
            return "it is longer than " + MAX_LENGTH + " characters";
        }
        if (key.startsWith("/")) {
            return "it is absolute (starts with '/')";
        }
        String chars = characterProblem(key);
        if (chars != null) {
            return chars;
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty()) {
                return "it has an empty segment ('//' or a trailing '/')";
            }
            if (segment.equals(".") || segment.equals("..")) {
                return "it has a '" + segment + "' segment";
            }
            if (segment.startsWith(RESERVED)) {
                return "segments starting with '" + RESERVED + "' are reserved for Lifeboat's uploads in progress";
            }
        }
        return null;
    }

    private static String characterProblem(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                return "it contains a backslash";
            }
            if (c < 0x20 || c == 0x7f) {
                return "it contains a control character (U+" + String.format("%04X", (int) c) + ")";
            }
        }
        return null;
    }

    private static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("'");
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(s.length() > 200 ? "…'" : "'").toString();
    }
}
