package dev.lifeboat.api;

import java.util.UUID;

/** Parsing of path and query parameters with 400s that say what is wrong (JAX-RS would answer 404). */
final class Params {
    private Params() {
    }

    static UUID uuid(String name, String value) {
        try {
            if (value == null || value.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(name + " '" + shorten(value) + "' is not a UUID.");
        }
    }

    static int intInRange(String name, String value, int dflt, int min, int max) {
        if (value == null || value.isBlank()) {
            return dflt;
        }
        try {
            int v = Integer.parseInt(value.trim());
            if (v < min || v > max) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest(name + " must be an integer from " + min + " to " + max + ", not '" + shorten(value) + "'.");
        }
    }

    static boolean bool(String name, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(name + " must be true or false, not '" + shorten(value) + "'.");
        };
    }

    static String shorten(String s) {
        if (s == null) {
            return "";
        }
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }
}
