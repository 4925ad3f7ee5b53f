package dev.homeport.bench;

import java.util.Locale;

/** A byte count from the command line: plain digits, or with a binary suffix k, m, g (KiB, MiB, GiB). */
record ByteSize(long bytes) {

    ByteSize {
        if (bytes < 0) {
            throw new IllegalArgumentException("byte count must not be negative, got " + bytes);
        }
    }

    static ByteSize parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            return new ByteSize(Math.multiplyExact(Long.parseLong(t), unit));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("expected a byte count like 65536, 64k, 256m or 1g, got '" + text + "'");
        }
    }
}
