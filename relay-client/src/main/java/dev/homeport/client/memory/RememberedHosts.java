package dev.homeport.client.memory;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The host name the relay gave each HTTP tunnel that asked for none, per relay, kept in the state
 * directory beside {@link RememberedPorts} so that a restarted client asks for the same name and its
 * URL keeps working. One line per tunnel: {@code RELAY KIND NAME HOST}, e.g.
 * {@code relay.example.com:7700 http jupyter k3v9x0q2mz.example.com}.
 */
public final class RememberedHosts {
    public static final String FILE_NAME = "hosts";
    private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?");

    private final AssignmentFile file;
    private final String relay;

    /** @param relay the relay as {@code HOST:PORT}, so that each relay keeps its own assignments */
    public RememberedHosts(Path file, String relay) {
        this.file = new AssignmentFile(file, "the host name each tunnel was last given", h -> HOST.matcher(h).matches());
        this.relay = relay;
    }

    public static RememberedHosts in(Path stateDir, String relay) {
        return new RememberedHosts(stateDir.resolve(FILE_NAME), relay);
    }

    public Path file() {
        return file.path();
    }

    /** The host name last given to this relay's tunnel, or empty if none is remembered. */
    public String host(String kind, String name) {
        String host = file.get(relay, kind, name);
        return host != null ? host : "";
    }

    /** Records the host name given to a tunnel; a failure to write is one log line, never fatal. */
    public void remember(String kind, String name, String host) {
        file.put(relay, kind, name, host);
    }
}
