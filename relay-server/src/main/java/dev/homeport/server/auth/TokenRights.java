package dev.homeport.server.auth;

import dev.homeport.server.PortRange;
import dev.homeport.server.tunnel.HostName;

import java.util.List;
import java.util.Locale;

/**
 * What one token may bind: public ports ({@code null}: any in the relay's range) and host names
 * for HTTP tunnels (exact names or {@code *.domain} wildcards; empty: none). A reserved port
 * ({@code 0}: none) is this token's alone, even while its client is away, and is what its client
 * gets when it asks for no port in particular, so its address never changes. A reserved host name
 * (empty: none) is the same for HTTP and TLS tunnels that ask for no name; the token may bind it
 * whatever {@code hosts} says.
 */
public record TokenRights(PortRange ports, List<String> hosts, int reservedPort, String reservedHost) {
    public static final TokenRights ALL = new TokenRights(null, List.of("*"));

    public TokenRights {
        hosts = hosts == null ? List.of() : hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        reservedHost = reservedHost == null ? "" : HostName.canonical(reservedHost);
        if (!reservedHost.isEmpty() && (reservedHost.indexOf('.') < 0 || !HostName.isValid(reservedHost))) {
            throw new IllegalArgumentException("reserved host must be a full host name such as jupyter.example.com, got '"
                    + reservedHost + "'");
        }
        if (reservedPort < 0 || reservedPort > 65535) {
            throw new IllegalArgumentException("reserved port must be 1-65535, got " + reservedPort);
        }
        if (reservedPort != 0 && ports != null && !ports.contains(reservedPort)) {
            throw new IllegalArgumentException("reserved port " + reservedPort + " is outside the token's ports " + ports);
        }
    }

    public TokenRights(PortRange ports, List<String> hosts) {
        this(ports, hosts, 0);
    }

    public TokenRights(PortRange ports, List<String> hosts, int reservedPort) {
        this(ports, hosts, reservedPort, "");
    }

    public boolean allowsPort(int port) {
        return ports == null || ports.contains(port);
    }

    public boolean allowsHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        for (String pattern : hosts) {
            if (pattern.equals("*") || pattern.equals(h)
                    || (pattern.startsWith("*.") && h.endsWith(pattern.substring(1)) && h.length() > pattern.length() - 1)) {
                return true;
            }
        }
        return false;
    }

    /** As the tokens file and {@code token list} write it. */
    public String describe() {
        return "ports=" + (ports == null ? "*" : ports) + " hosts=" + (hosts.isEmpty() ? "-" : String.join(",", hosts))
                + (reservedPort == 0 ? "" : " reserve=" + reservedPort)
                + (reservedHost.isEmpty() ? "" : " reserve-host=" + reservedHost);
    }
}
