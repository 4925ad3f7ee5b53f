package dev.homeport.client.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Relays this client has trusted on first use, one per line: {@code HOST:PORT SHA256:fingerprint},
 * like SSH's known_hosts. A relay whose certificate is not signed by a trusted CA is checked against it.
 */
public final class KnownRelays {
    private final Path file;

    public KnownRelays(Path file) {
        this.file = file;
    }

    public static Path defaultFile() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
        return base.resolve("homeport").resolve("known_relays");
    }

    public Path file() {
        return file;
    }

    /** The recorded entry for {@code relay}, or {@code null}. */
    public synchronized Entry find(String relay) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String[] parts = lines.get(i).trim().split("\\s+");
                if (parts.length >= 2 && parts[0].equals(relay)) {
                    return new Entry(parts[1], i + 1);
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public synchronized void add(String relay, String fingerprint) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, relay + " " + fingerprint + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** @param line 1-based line number, for messages that tell the user what to edit */
    public record Entry(String fingerprint, int line) {
    }
}
