package dev.homeport.client.memory;

import java.nio.file.Path;

/**
 * The public port each tunnel was last given, per relay, kept in the state directory so that a restarted
 * client asks for the same one and the address typed into an app (Juno) keeps working. One line per
 * tunnel: {@code RELAY KIND NAME PORT}, e.g. {@code relay.example.com:7000 tcp jupyter 33949}. The file is
 * replaced atomically; a line that cannot be read is ignored (the relay then picks a port, as on a first start).
 */
public final class RememberedPorts {
    public static final String FILE_NAME = "ports";

    private final AssignmentFile file;
    private final String relay;

    /** @param relay the relay as {@code HOST:PORT}, so that each relay keeps its own assignments */
    public RememberedPorts(Path file, String relay) {
        this.file = new AssignmentFile(file, "the public port each tunnel was last given", RememberedPorts::isPort);
        this.relay = relay;
    }

    public static RememberedPorts in(Path stateDir, String relay) {
        return new RememberedPorts(stateDir.resolve(FILE_NAME), relay);
    }

    public Path file() {
        return file.path();
    }

    /** The port last given to this relay's tunnel, or 0 if none is remembered. */
    public int port(String kind, String name) {
        String port = file.get(relay, kind, name);
        return port != null ? Integer.parseInt(port) : 0;
    }

    /** Records the port given to a tunnel; a failure to write is one log line, never fatal. */
    public void remember(String kind, String name, int port) {
        file.put(relay, kind, name, Integer.toString(port));
    }

    private static boolean isPort(String value) {
        try {
            int port = Integer.parseInt(value);
            return port >= 1 && port <= 65535;
        } catch (NumberFormatException notOurs) {
            return false;
        }
    }
}
