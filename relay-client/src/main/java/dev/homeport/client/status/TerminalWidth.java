package dev.homeport.client.status;

import sun.misc.Signal;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The width of the terminal the status line is drawn on, so that the line can be cut to fit: a
 * line longer than the terminal wraps, and the carriage return of the next redraw then goes back
 * only to the start of its last row, leaving a stale row behind each second. Java has no call for
 * the width; {@code stty size} on {@code /dev/tty} reads it, at start and again whenever the
 * window changes (SIGWINCH).
 */
final class TerminalWidth {
    private volatile int columns;

    private TerminalWidth() {
    }

    /** Reads the width now and on every window change; {@link #columns()} is 0 if it cannot be read. */
    static TerminalWidth watch() {
        TerminalWidth width = new TerminalWidth();
        width.read();
        try {
            Signal.handle(new Signal("WINCH"), signal -> width.read());
        } catch (IllegalArgumentException | UnsupportedOperationException noSuchSignal) {
            // Not on this platform: the width read at start stays.
        }
        return width;
    }

    /** Columns of the terminal, 0 when unknown. */
    int columns() {
        return columns;
    }

    private void read() {
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(new File("/dev/tty"))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(1, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return;
            }
            String[] rowsColumns = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
            if (stty.exitValue() == 0 && rowsColumns.length == 2) {
                columns = Integer.parseInt(rowsColumns[1]);
            }
        } catch (IOException | NumberFormatException e) {
            // No terminal to ask, or an answer we do not understand: keep what we had.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code text} cut to fit one row: at most {@code columns - 1} characters, so the cursor never reaches the last column. */
    static String fit(String text, int columns) {
        int room = columns - 1;
        if (columns <= 1 || text.codePointCount(0, text.length()) <= room) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, room));
    }
}
