package dev.homeport.protocol;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human forms of settings: durations such as {@code 500us}, {@code 500ms}, {@code 30s}, {@code 2m}, and sizes such as {@code 4MiB}. */
public final class SettingValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(us|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    private SettingValues() {
    }

    public static Duration duration(String text) {
        if (text != null && text.trim().equals("0")) {
            return Duration.ZERO; // "off", for the settings that allow it
        }
        Matcher m = DURATION.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a duration such as 500ms, 30s, 2m or 1h, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** As {@link #duration(String)}, with the setting's name in the error, e.g. {@code --ping-interval}. */
    public static Duration duration(String text, String name) {
        try {
            return duration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    /** As {@link #bytes(String)}, with the setting's name in the error. */
    public static long bytes(String text, String name) {
        try {
            return bytes(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    /** As {@link #intBytes(String)}, with the setting's name in the error. */
    public static int intBytes(String text, String name) {
        try {
            return intBytes(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    /** Sizes are binary: 1k = 1KiB = 1024 bytes. */
    public static long bytes(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 65536, 64KiB or 16MiB, got '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long scale = switch (unit.charAt(0)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Math.multiplyExact(n, scale);
    }

    public static int intBytes(String text) {
        long v = bytes(text);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("size must be below 2GiB, got '" + text + "'");
        }
        return (int) v;
    }
}
