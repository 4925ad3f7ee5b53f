package dev.homeport.server.peer;

import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.Open;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostName;

/**
 * The public name a peer stream is for (PROTOCOL.md, "Peer link"): its OPEN carries the tunnel kind
 * as BIND numbers it in {@code tunnel_id} and the name in {@code peer_address}, a TCP port in
 * decimal or a host name, so the owning relay finds the tunnel with its own registries.
 *
 * @param kind {@link Bind#KIND_TCP}, {@link Bind#KIND_HTTP} or {@link Bind#KIND_TLS}
 * @param port the public TCP port (kind TCP), else 0
 * @param host the host name, lower case (kinds HTTP and TLS), else empty
 */
public record PeerTarget(int kind, int port, String host) {
    public static PeerTarget port(int port) {
        return new PeerTarget(Bind.KIND_TCP, port, "");
    }

    public static PeerTarget http(String host) {
        return new PeerTarget(Bind.KIND_HTTP, 0, HostName.canonical(host));
    }

    public static PeerTarget tls(String host) {
        return new PeerTarget(Bind.KIND_TLS, 0, HostName.canonical(host));
    }

    /** Reads an OPEN of a peer link; throws with a message for the dialing relay when it names nothing valid. */
    public static PeerTarget of(Open open) {
        String name = open.peerAddress();
        switch (open.tunnelId()) {
            case Bind.KIND_TCP -> {
                int port;
                try {
                    port = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    port = -1;
                }
                if (port < 1 || port > 65_535) {
                    throw new IllegalArgumentException("peer stream for TCP names no port: '" + name + "'");
                }
                return port(port);
            }
            case Bind.KIND_HTTP, Bind.KIND_TLS -> {
                if (!HostName.isValid(HostName.canonical(name))) {
                    throw new IllegalArgumentException("peer stream names no valid host: '" + name + "'");
                }
                return open.tunnelId() == Bind.KIND_HTTP ? http(name) : tls(name);
            }
            default -> throw new IllegalArgumentException("peer stream of unknown kind " + Integer.toUnsignedString(open.tunnelId()));
        }
    }

    /** What OPEN's {@code peer_address} carries. */
    public String name() {
        return kind == Bind.KIND_TCP ? Integer.toString(port) : host;
    }

    /** The kind as {@link RemoteRoute#kind()} and the metrics' {@code kind} tag spell it. */
    public String kindName() {
        return switch (kind) {
            case Bind.KIND_TCP -> RelayMetrics.TCP;
            case Bind.KIND_HTTP -> RelayMetrics.HTTP;
            default -> RelayMetrics.TLS;
        };
    }

    /** Whether {@code route} was registered for this kind of tunnel. */
    public boolean servedBy(RemoteRoute route) {
        return route != null && route.kind().equals(kindName());
    }

    @Override
    public String toString() {
        return kindName() + "/" + name();
    }
}
