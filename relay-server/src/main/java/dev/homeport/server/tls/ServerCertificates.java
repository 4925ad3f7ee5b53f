package dev.homeport.server.tls;

import io.netty.handler.ssl.SslContext;

/**
 * Where the public HTTPS listener finds the certificate to present for a TLS SNI hostname:
 * certificate files (a wildcard among them) or certificates issued by ACME. Implementations are
 * called on event loops, so a lookup answers from memory and never blocks.
 */
public interface ServerCertificates {

    /** The TLS context to present for {@code hostname} (lower case, no trailing dot), or {@code null} if none is held. */
    SslContext forHostname(String hostname);

    /** Each name served (wildcards as {@code *.domain}) and when its certificate expires, for the admin dashboard. */
    default java.util.Map<String, java.time.Instant> expiries() {
        return java.util.Map.of();
    }
}
