package dev.homeport.client;

import java.util.Objects;

/**
 * One tunnel the client asks for, to {@code localHost:localPort} here: public TCP port
 * {@code remotePort} on the relay (0: any), or for {@link Kind#HTTP} the requests for host name
 * {@code hostname} (a name without a dot is completed by the relay with its domain). The client
 * dials only this target for the tunnel's streams.
 */
public record TunnelSpec(String name, String localHost, int localPort, int remotePort, Kind kind, String hostname) {
    /** What the relay exposes: a public TCP port, or a host name on its HTTP port. */
    public enum Kind { TCP, HTTP }

    /** A TCP tunnel. */
    public TunnelSpec(String name, String localHost, int localPort, int remotePort) {
        this(name, localHost, localPort, remotePort, Kind.TCP, "");
    }

    /** An HTTP tunnel for {@code hostname}. */
    public static TunnelSpec http(String name, String localHost, int localPort, String hostname) {
        return new TunnelSpec(name, localHost, localPort, 0, Kind.HTTP, hostname);
    }

    public TunnelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(localHost, "localHost");
        Objects.requireNonNull(kind, "kind");
        hostname = hostname == null ? "" : hostname.trim();
        if (kind == Kind.HTTP && hostname.isEmpty()) {
            throw new IllegalArgumentException("an HTTP tunnel needs a host name (--hostname)");
        }
        if (kind == Kind.TCP && !hostname.isEmpty()) {
            throw new IllegalArgumentException("a TCP tunnel has no host name, got '" + hostname + "'");
        }
        if (localPort < 1 || localPort > 65535) {
            throw new IllegalArgumentException("local port must be 1-65535, got " + localPort);
        }
        if (remotePort < 0 || remotePort > 65535) {
            throw new IllegalArgumentException("remote port must be 0-65535 (0 = any), got " + remotePort);
        }
    }

    public String localTarget() {
        return (localHost.indexOf(':') >= 0 ? "[" + localHost + "]" : localHost) + ":" + localPort;
    }
}
