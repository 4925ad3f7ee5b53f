package dev.homeport.client;

import java.util.Objects;

/**
 * One tunnel the client asks for, to {@code localHost:localPort} here: public TCP port
 * {@code remotePort} on the relay (0: any), or for {@link Kind#HTTP} the requests for host name
 * {@code hostname} (a name without a dot is completed by the relay with its domain), or for
 * {@link Kind#TLS} the TLS connections for that server name, passed through unopened. The client
 * dials only this target for the tunnel's streams. {@code access} holds the rules the relay
 * applies to the public side. An HTTP tunnel with an empty {@code hostname} gets the name the relay
 * gives it (the token's reserved name, or a made-up one), which the client then asks for again.
 * With {@code pool}, other clients of the same token that also ask for a pool serve the same port or
 * name, and the relay spreads new public connections over them. With {@code proxyProtocol} (TCP and
 * TLS tunnels) each local connection starts with a PROXY protocol v2 header naming the public peer.
 */
public record TunnelSpec(String name, String localHost, int localPort, int remotePort, Kind kind, String hostname,
                         TunnelAccess access, boolean pool, boolean proxyProtocol) {
    /** What the relay exposes: a public TCP port, a host name on its HTTP(S) ports, or a TLS server name on its HTTPS port. */
    public enum Kind { TCP, HTTP, TLS }

    /** A TCP tunnel. */
    public TunnelSpec(String name, String localHost, int localPort, int remotePort) {
        this(name, localHost, localPort, remotePort, Kind.TCP, "");
    }

    /** A tunnel with the default rules of its kind. */
    public TunnelSpec(String name, String localHost, int localPort, int remotePort, Kind kind, String hostname) {
        this(name, localHost, localPort, remotePort, kind, hostname, kind == Kind.HTTP ? TunnelAccess.HTTP_DEFAULT : TunnelAccess.NONE);
    }

    /** An HTTP tunnel for {@code hostname}; plain HTTP is redirected to HTTPS where the relay serves it ({@link TunnelAccess#HTTP_DEFAULT}). */
    public static TunnelSpec http(String name, String localHost, int localPort, String hostname) {
        return new TunnelSpec(name, localHost, localPort, 0, Kind.HTTP, hostname);
    }

    /** A TLS tunnel for server name {@code hostname}: the local service speaks TLS with its own certificate. */
    public static TunnelSpec tls(String name, String localHost, int localPort, String hostname) {
        return new TunnelSpec(name, localHost, localPort, 0, Kind.TLS, hostname);
    }

    /** A tunnel served by this client alone, without a PROXY protocol header. */
    public TunnelSpec(String name, String localHost, int localPort, int remotePort, Kind kind, String hostname,
                      TunnelAccess access) {
        this(name, localHost, localPort, remotePort, kind, hostname, access, false, false);
    }

    public TunnelSpec withAccess(TunnelAccess rules) {
        return new TunnelSpec(name, localHost, localPort, remotePort, kind, hostname, rules, pool, proxyProtocol);
    }

    /** The same tunnel, served together with the token's other pool clients ({@code --pool}) or alone. */
    public TunnelSpec withPool(boolean shared) {
        return new TunnelSpec(name, localHost, localPort, remotePort, kind, hostname, access, shared, proxyProtocol);
    }

    /** This tunnel, its local connections starting with a PROXY protocol v2 header ({@code --proxy-protocol}). */
    public TunnelSpec withProxyProtocol(boolean on) {
        return new TunnelSpec(name, localHost, localPort, remotePort, kind, hostname, access, pool, on);
    }

    public TunnelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(localHost, "localHost");
        Objects.requireNonNull(kind, "kind");
        access = access == null ? TunnelAccess.NONE : access;
        hostname = hostname == null ? "" : hostname.trim();
        if (kind == Kind.TLS && hostname.isEmpty()) {
            throw new IllegalArgumentException("a TLS tunnel needs a host name (--hostname)");
        }
        if (kind != Kind.HTTP && !access.basicAuth().isEmpty()) {
            throw new IllegalArgumentException("--basic-auth needs an HTTP tunnel: the relay cannot read inside TCP or TLS");
        }
        if (kind == Kind.HTTP && proxyProtocol) {
            throw new IllegalArgumentException("--proxy-protocol is for TCP and TLS tunnels: an HTTP tunnel's service "
                    + "learns the public peer from X-Forwarded-For and Forwarded");
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
