package dev.homeport.server.tls.acme;

import java.util.Locale;

/** How the CA checks that the relay controls a host name: over the public HTTP port, or over TLS on the HTTPS port. */
public enum AcmeChallengeType {
    /** GET http://HOST/.well-known/acme-challenge/TOKEN on port 80, answered by the public HTTP listener. */
    HTTP_01("http-01"),
    /** A TLS handshake to HOST:443 with ALPN {@code acme-tls/1}, answered with a challenge certificate (RFC 8737). */
    TLS_ALPN_01("tls-alpn-01");

    private final String label;

    AcmeChallengeType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Parses {@code http-01} or {@code tls-alpn-01}; empty or {@code auto} gives {@code null} (chosen at start). */
    public static AcmeChallengeType parse(String text, String option) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("auto")) {
            return null;
        }
        for (AcmeChallengeType type : values()) {
            if (type.label.equals(t)) {
                return type;
            }
        }
        throw new IllegalArgumentException(option + " must be http-01, tls-alpn-01 or auto, got '" + text + "'");
    }

    @Override
    public String toString() {
        return label;
    }
}
