package dev.homeport.server.auth;

import dev.homeport.server.PortRange;

import java.util.List;
import java.util.Locale;

/**
 * What one token may bind: public ports ({@code null}: any in the relay's range) and host names
 * for HTTP tunnels (exact names or {@code *.domain} wildcards; empty: none).
 */
public record TokenRights(PortRange ports, List<String> hosts) {
    public static final TokenRights ALL = new TokenRights(null, List.of("*"));

    public TokenRights {
        hosts = hosts == null ? List.of() : hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
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
        return "ports=" + (ports == null ? "*" : ports) + " hosts=" + (hosts.isEmpty() ? "-" : String.join(",", hosts));
    }
}
