package dev.homeport.server.tunnel;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.regex.Pattern;

/** Host names as the relay compares them: lowercase, without a trailing dot, checked label by label. */
public final class HostName {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final int MAX_LENGTH = 253;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyz";
    private static final String LETTERS_AND_DIGITS = LETTERS + "0123456789";
    /** A made-up label: a letter, then letters and digits; 36^9 * 26 names, so a guess finds none. */
    static final int FRESH_LABEL_LENGTH = 10;

    private HostName() {
    }

    /** The form used as a registry key: lowercase, no trailing dot. Does not validate. */
    public static String canonical(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** A label for a name the relay makes up for a client that asked for none, such as {@code k3v9x0q2mz}. */
    static String freshLabel() {
        StringBuilder label = new StringBuilder(FRESH_LABEL_LENGTH).append(LETTERS.charAt(RANDOM.nextInt(LETTERS.length())));
        while (label.length() < FRESH_LABEL_LENGTH) {
            label.append(LETTERS_AND_DIGITS.charAt(RANDOM.nextInt(LETTERS_AND_DIGITS.length())));
        }
        return label.toString();
    }

    /** Whether {@code name} (canonical) is a DNS host name: dot-separated labels of letters, digits and inner hyphens. */
    public static boolean isValid(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return false;
        }
        for (String label : name.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The host a Host header names: canonical, without its port; an IPv6 literal keeps its brackets.
     * Returns an empty string for an empty or malformed value.
     */
    public static String fromHostHeader(String header) {
        String h = header.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? "" : h.substring(0, end + 1).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (h.indexOf(':', colon + 1) >= 0) {
                return "";
            }
            h = h.substring(0, colon);
        }
        return canonical(h);
    }
}
