package dev.homeport.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A tunnel's rules for its public side, enforced by the relay (PROTOCOL.md, "Public access").
 *
 * @param httpsOnly HTTP tunnels: the relay redirects plain-HTTP requests to HTTPS when it serves the name over HTTPS
 * @param basicAuth HTTP tunnels: {@code USER:PASSWORD} every request must carry, or empty for none
 * @param allowFrom public addresses and CIDR blocks admitted; empty admits everyone
 */
public record TunnelAccess(boolean httpsOnly, String basicAuth, List<String> allowFrom) {
    /** No rules: everyone, plain HTTP served as such. */
    public static final TunnelAccess NONE = new TunnelAccess(false, "", List.of());
    /**
     * What an HTTP tunnel gets unless told otherwise: plain HTTP is redirected to HTTPS wherever the
     * relay can serve HTTPS, so a Jupyter token in a link never crosses the network readable.
     */
    public static final TunnelAccess HTTP_DEFAULT = new TunnelAccess(true, "", List.of());
    private static final int MAX_FIELD_BYTES = 1024;

    public TunnelAccess {
        basicAuth = basicAuth == null ? "" : basicAuth;
        allowFrom = allowFrom == null ? List.of() : allowFrom.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (!basicAuth.isEmpty()) {
            int colon = basicAuth.indexOf(':');
            if (colon <= 0 || colon == basicAuth.length() - 1) {
                throw new IllegalArgumentException("--basic-auth must be USER:PASSWORD with both parts non-empty");
            }
            if (basicAuth.getBytes(StandardCharsets.UTF_8).length > MAX_FIELD_BYTES) {
                throw new IllegalArgumentException("--basic-auth is longer than " + MAX_FIELD_BYTES + " bytes");
            }
        }
        for (String cidr : allowFrom) {
            if (!cidr.matches("[0-9a-fA-F:.]{2,45}(/\\d{1,3})?") || !(cidr.contains(".") || cidr.contains(":"))) {
                throw new IllegalArgumentException("--allow-cidr must be an address or CIDR block such as 192.0.2.0/24, got '"
                        + cidr + "'");
            }
        }
        if (allowFromField(allowFrom).length() > MAX_FIELD_BYTES) {
            throw new IllegalArgumentException("--allow-cidr: the list is longer than " + MAX_FIELD_BYTES + " bytes");
        }
    }

    /** The allow list as BIND carries it: comma-separated. */
    public String allowFromField() {
        return allowFromField(allowFrom);
    }

    private static String allowFromField(List<String> blocks) {
        return String.join(",", blocks);
    }

    /** Never prints the password. */
    @Override
    public String toString() {
        return "https_only=" + httpsOnly + " basic_auth=" + (basicAuth.isEmpty() ? "-" : basicAuth.substring(0, basicAuth.indexOf(':')))
                + " allow=" + (allowFrom.isEmpty() ? "any" : allowFrom);
    }
}
