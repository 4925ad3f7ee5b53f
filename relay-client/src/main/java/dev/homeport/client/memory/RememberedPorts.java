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

/**
 * The public port each tunnel was last given, per relay, kept in the state directory so that a restarted
 * client asks for the same one and the address typed into an app (Juno) keeps working. One line per
 * tunnel: {@code RELAY KIND NAME PORT}, e.g. {@code relay.example.com:7000 tcp jupyter 33949}. The file is
 * replaced atomically; a line that cannot be read is ignored (the relay then picks a port, as on a first start).
 */
public final class RememberedPorts {
    private static final Logger log = LoggerFactory.getLogger(RememberedPorts.class);
    public static final String FILE_NAME = "ports";

    private final Path file;
    private final String relay;

    /** @param relay the relay as {@code HOST:PORT}, so that each relay keeps its own assignments */
    public RememberedPorts(Path file, String relay) {
        this.file = file;
        this.relay = relay;
    }

    public static RememberedPorts in(Path stateDir, String relay) {
        return new RememberedPorts(stateDir.resolve(FILE_NAME), relay);
    }

    public Path file() {
        return file;
    }

    /** The port last given to this relay's tunnel, or 0 if none is remembered. */
    public synchronized int port(String kind, String name) {
        Integer port = read().get(key(relay, kind, name));
        return port != null ? port : 0;
    }

    /** Records the port given to a tunnel; a failure to write is one log line, never fatal. */
    public synchronized void remember(String kind, String name, int port) {
        Map<String, Integer> all = read();
        String key = key(relay, kind, name);
        Integer previous = all.put(key, port);
        if (previous != null && previous == port) {
            return;
        }
        StringBuilder text = new StringBuilder("# homeport: the public port each tunnel was last given (RELAY KIND NAME PORT)\n");
        all.forEach((k, p) -> text.append(k).append(' ').append(p).append('\n'));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(FILE_NAME + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            log.warn("event=port_not_remembered file={} reason=\"{}\"", file, e.toString());
        }
    }

    private static String key(String relay, String kind, String name) {
        return relay + " " + kind + " " + name;
    }

    private Map<String, Integer> read() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return ports;
        } catch (IOException e) {
            log.warn("event=remembered_ports_unreadable file={} reason=\"{}\"", file, e.toString());
            return ports;
        }
        for (String line : lines) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 4 || parts[0].startsWith("#")) {
                continue;
            }
            try {
                int port = Integer.parseInt(parts[3]);
                if (port >= 1 && port <= 65535) {
                    ports.put(key(parts[0], parts[1], parts[2]), port);
                }
            } catch (NumberFormatException ignored) {
                // Not one of ours: the relay picks a port for that tunnel, as on a first start.
            }
        }
        return ports;
    }
}
