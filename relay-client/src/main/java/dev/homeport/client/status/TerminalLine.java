package dev.homeport.client.status;

import dev.homeport.cli.Printable;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A status line kept at the bottom of the terminal, redrawn in place with a carriage return. Log
 * lines share stderr with it, so stderr is wrapped: anything else written first erases the status
 * line, and the next redraw (within a second) puts it back under the new output.
 */
public final class TerminalLine implements AutoCloseable {
    private static final String ERASE = "\r\033[K";

    private final PrintStream terminal;
    private final TerminalWidth width;
    private final Object lock = new Object();
    private boolean shown;

    private TerminalLine(PrintStream terminal, TerminalWidth width) {
        this.terminal = terminal;
        this.width = width;
    }

    /** True when stdout and stderr are both a terminal; otherwise the client writes plain log lines only. */
    public static boolean available() {
        if (System.console() == null) {
            return false;
        }
        Path stderr = Path.of("/proc/self/fd/2");
        if (Files.exists(stderr)) {
            try {
                String target = Files.readSymbolicLink(stderr).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }
        return true;
    }

    /** Takes over System.err as described above. */
    public static TerminalLine install() {
        TerminalLine line = new TerminalLine(System.err, TerminalWidth.watch());
        System.setErr(new PrintStream(line.new ErasingStream(), true, StandardCharsets.UTF_8));
        return line;
    }

    /** Draws {@code text} in place of the current line, cut to the terminal's width. */
    public void show(String text) {
        String fitted = TerminalWidth.fit(Printable.strip(text), width.columns()); // only our ERASE moves the cursor
        synchronized (lock) {
            terminal.print(ERASE + fitted);
            terminal.flush();
            shown = true;
        }
    }

    /** Erases the line before output that does not go through stderr (the public address on stdout). */
    public void erase() {
        synchronized (lock) {
            eraseIfShown();
            terminal.flush();
        }
    }

    private void eraseIfShown() {
        if (shown) {
            terminal.print(ERASE);
            shown = false;
        }
    }

    /** Erases the line and gives System.err back. */
    @Override
    public void close() {
        synchronized (lock) {
            eraseIfShown();
            terminal.flush();
        }
        System.setErr(terminal);
    }

    private final class ErasingStream extends OutputStream {
        @Override
        public void write(int b) {
            synchronized (lock) {
                eraseIfShown();
                terminal.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (lock) {
                eraseIfShown();
                terminal.write(b, off, len);
            }
        }

        @Override
        public void flush() {
            terminal.flush();
        }
    }
}
