package dev.homeport.client;

import java.util.Objects;

/**
 * One tunnel the client asks for: public TCP port {@code remotePort} on the relay (0: any) to
 * {@code localHost:localPort} here. The client dials only this target for the tunnel's streams.
 */
public record TunnelSpec(String name, String localHost, int localPort, int remotePort) {
    public TunnelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(localHost, "localHost");
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
