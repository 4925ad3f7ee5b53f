package dev.homeport.client.memory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A file in the state directory of what the relays assigned: one line per tunnel, {@code RELAY KIND NAME VALUE}.
 * Replaced atomically on each change; a line that cannot be read is skipped (the relay then assigns
 * anew, as on a first start). Failures to read or write are one log line, never fatal.
 */
final class AssignmentFile {
    private static final Logger log = LoggerFactory.getLogger(AssignmentFile.class);

    private final Path file;
    private final String header;
    private final Predicate<String> validValue;

    /**
     * @param header     the comment line at the top, saying what the file holds
     * @param validValue which values are kept when read (others are skipped)
     */
    AssignmentFile(Path file, String header, Predicate<String> validValue) {
        this.file = file;
        this.header = header;
        this.validValue = validValue;
    }

    Path path() {
        return file;
    }

    synchronized String get(String relay, String kind, String name) {
        return read().get(key(relay, kind, name));
    }

    synchronized void put(String relay, String kind, String name, String value) {
        Map<String, String> all = read();
        String previous = all.put(key(relay, kind, name), value);
        if (value.equals(previous)) {
            return;
        }
        StringBuilder text = new StringBuilder("# homeport: ").append(header).append(" (RELAY KIND NAME VALUE)\n");
        all.forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("event=assignment_not_remembered file={} reason=\"{}\"", file, e.toString());
        }
    }

    private static String key(String relay, String kind, String name) {
        return relay + " " + kind + " " + name;
    }

    private Map<String, String> read() {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return values;
        } catch (IOException e) {
            log.warn("event=assignments_unreadable file={} reason=\"{}\"", file, e.toString());
            return values;
        }
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length == 4 && !parts[0].startsWith("#") && validValue.test(parts[3])) {
                values.put(key(parts[0], parts[1], parts[2]), parts[3]);
            }
        }
        return values;
    }
}
