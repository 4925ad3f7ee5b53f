package dev.homeport.cli;

/**
 * Text from the other side of a connection, made safe to show on a terminal: control characters
 * (C0, DEL, C1: line breaks, escape sequences that move the cursor or retitle the window, the bell),
 * the Unicode line separators and the bidi controls that reorder what is shown are taken out.
 */
public final class Printable {
    private Printable() {
    }

    /** {@code text} without the characters {@link #isControl} names; {@code null} stays {@code null}. */
    public static String strip(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (isControl(c)) {
                if (out == null) {
                    out = new StringBuilder(text.length()).append(text, 0, i);
                }
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    /** C0, DEL, C1, the Unicode line and paragraph separators, and the bidi embeddings, overrides and isolates. */
    public static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
    }
}
