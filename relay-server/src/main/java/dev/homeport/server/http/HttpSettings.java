package dev.homeport.server.http;

import dev.homeport.server.tunnel.HostName;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The relay's public HTTP listener, off unless {@code listen} is given, and its limits.
 *
 * @param listen               where public HTTP connections arrive; {@code null}: no HTTP tunnels
 * @param domain               completes a client's dot-less name ({@code jupyter} becomes {@code jupyter.DOMAIN}); empty: none
 * @param trustedProxies       proxies whose forwarding headers are kept and extended
 * @param maxInitialLineLength longest request line; longer: 414
 * @param maxHeaderSize        largest request head; larger: 431
 * @param headerTimeout        a connection that has not sent a whole request head this long after its first byte
 *                             (or after opening) is closed (slowloris)
 */
public record HttpSettings(
        InetSocketAddress listen,
        String domain,
        TrustedProxies trustedProxies,
        int maxInitialLineLength,
        int maxHeaderSize,
        Duration headerTimeout) {

    public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 4096;
    public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
    public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final HttpSettings OFF = new HttpSettings(null, "", TrustedProxies.NONE, DEFAULT_MAX_INITIAL_LINE_LENGTH,
            DEFAULT_MAX_HEADER_SIZE, DEFAULT_HEADER_TIMEOUT);

    public HttpSettings {
        domain = domain == null ? "" : HostName.canonical(domain);
        if (domain.startsWith("*.")) {
            domain = domain.substring(2);
        }
        if (!domain.isEmpty() && !HostName.isValid(domain)) {
            throw new IllegalArgumentException("domain must be a host name such as example.com, got '" + domain + "'");
        }
        trustedProxies = trustedProxies == null ? TrustedProxies.NONE : trustedProxies;
        if (maxInitialLineLength < 64) {
            throw new IllegalArgumentException("maxInitialLineLength must be at least 64 bytes, got " + maxInitialLineLength);
        }
        if (maxHeaderSize < 256) {
            throw new IllegalArgumentException("maxHeaderSize must be at least 256 bytes, got " + maxHeaderSize);
        }
        if (headerTimeout == null || headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException("headerTimeout must be positive, got " + headerTimeout);
        }
    }

    /** HTTP tunnels on {@code listen}, subdomains of {@code domain} (empty: clients give full names), default limits. */
    public static HttpSettings on(InetSocketAddress listen, String domain) {
        return new HttpSettings(listen, domain, TrustedProxies.NONE, DEFAULT_MAX_INITIAL_LINE_LENGTH, DEFAULT_MAX_HEADER_SIZE,
                DEFAULT_HEADER_TIMEOUT);
    }

    public boolean enabled() {
        return listen != null;
    }

    public HttpSettings withTrustedProxies(TrustedProxies proxies) {
        return new HttpSettings(listen, domain, proxies, maxInitialLineLength, maxHeaderSize, headerTimeout);
    }

    public HttpSettings withHeaderTimeout(Duration timeout) {
        return new HttpSettings(listen, domain, trustedProxies, maxInitialLineLength, maxHeaderSize, timeout);
    }

    public HttpSettings withLimits(int initialLine, int headerSize) {
        return new HttpSettings(listen, domain, trustedProxies, initialLine, headerSize, headerTimeout);
    }
}
