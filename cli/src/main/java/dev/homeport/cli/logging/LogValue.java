package dev.homeport.cli.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.homeport.cli.Printable;

import java.util.Arrays;

/**
 * The one place that makes a log event's fields safe to print: whatever a client, a visitor or a
 * relay put in a string, it cannot end the line (forging the next event), move the terminal's cursor,
 * or close a quoted value and add a field of its own. Both log formats print the message this builds.
 */
public final class LogValue {
    private LogValue() {
    }

    /**
     * The event's message with each argument escaped: control characters (and Unicode line and bidi
     * controls) always, as {@code \n}, {@code \t} or {@code \}{@code u} with four hex digits; in a string also
     * {@code \} and {@code "}; and a string in an unquoted place ({@code agent={}}) that holds a
     * space, {@code "} or {@code =} is put in quotes. Objects render themselves; they escape their own fields.
     */
    public static String message(ILoggingEvent event) {
        String pattern = event.getMessage();
        Object[] args = event.getArgumentArray();
        if (pattern == null || args == null || args.length == 0) {
            return pattern == null ? null : literal(new StringBuilder(pattern.length()), pattern, 0, pattern.length()).toString();
        }
        StringBuilder out = new StringBuilder(pattern.length() + 16 * args.length);
        int next = 0;
        int from = 0;
        while (next < args.length) {
            int at = pattern.indexOf("{}", from);
            if (at < 0) {
                break;
            }
            boolean escaped = at > 0 && pattern.charAt(at - 1) == '\\';
            if (escaped && !(at > 1 && pattern.charAt(at - 2) == '\\')) {
                literal(out, pattern, from, at - 1).append("{}"); // SLF4J's \{}: a literal {}
                from = at + 2;
                continue;
            }
            literal(out, pattern, from, escaped ? at - 1 : at); // \\{}: one backslash, then the argument
            append(out, args[next++], at > 0 && pattern.charAt(at - 1) == '"');
            from = at + 2;
        }
        return literal(out, pattern, from, pattern.length()).toString();
    }

    private static StringBuilder literal(StringBuilder out, String pattern, int from, int to) {
        for (int i = from; i < to; i++) {
            escape(out, pattern.charAt(i));
        }
        return out;
    }

    /** {@code value} as an unquoted field value: quoted and escaped when it needs to be. */
    public static String of(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2);
        append(out, value, false);
        return out.toString();
    }

    private static void append(StringBuilder out, Object arg, boolean quoted) {
        if (arg instanceof CharSequence text) {
            String s = text.toString();
            boolean quote = !quoted && needsQuotes(s);
            if (quote) {
                out.append('"');
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '\\' || c == '"') {
                    out.append('\\').append(c);
                } else {
                    escape(out, c);
                }
            }
            if (quote) {
                out.append('"');
            }
        } else {
            String s = arg instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(arg);
            for (int i = 0; i < s.length(); i++) {
                escape(out, s.charAt(i));
            }
        }
    }

    private static boolean needsQuotes(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '"' || c == '=' || Printable.isControl(c)) {
                return true;
            }
        }
        return false;
    }

    private static void escape(StringBuilder out, char c) {
        if (!Printable.isControl(c)) {
            out.append(c);
            return;
        }
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default -> out.append(String.format("\\u%04x", (int) c));
        }
    }
}
