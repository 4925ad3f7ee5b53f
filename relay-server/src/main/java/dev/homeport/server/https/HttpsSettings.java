package dev.homeport.server.https;

import dev.homeport.server.tls.CertificateChain;
import dev.homeport.server.tls.ClientHelloReader;
import dev.homeport.server.tls.ServerCertificates;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's public HTTPS listener, off unless {@code listen} is given: where it listens, where its
 * certificates come from, and the limits on a connection's first bytes. The HTTP limits (header
 * size and timeout, trusted proxies) are those of {@code HttpSettings}.
 *
 * @param listen             where public TLS connections arrive (HTTPS tunnels and TLS passthrough); {@code null}: none
 * @param certificateSources asked in order for a server name's certificate (files first, then e.g. ACME)
 * @param clientHelloLimit   most bytes held from a connection before its ClientHello is complete; a longer hello is refused
 * @param clientHelloTimeout a connection that has not sent its whole ClientHello this long after opening is closed
 */
public record HttpsSettings(
        InetSocketAddress listen,
        List<ServerCertificates> certificateSources,
        int clientHelloLimit,
        Duration clientHelloTimeout) {

    public static final int DEFAULT_CLIENT_HELLO_LIMIT = ClientHelloReader.DEFAULT_LIMIT;
    public static final Duration DEFAULT_CLIENT_HELLO_TIMEOUT = Duration.ofSeconds(10);
    public static final HttpsSettings OFF = new HttpsSettings(null, List.of(), DEFAULT_CLIENT_HELLO_LIMIT, DEFAULT_CLIENT_HELLO_TIMEOUT);

    public HttpsSettings {
        certificateSources = List.copyOf(certificateSources);
        if (clientHelloLimit < 512 || clientHelloLimit > 1 << 20) {
            throw new IllegalArgumentException("clientHelloLimit must be 512 bytes to 1 MiB, got " + clientHelloLimit);
        }
        if (clientHelloTimeout == null || clientHelloTimeout.isNegative() || clientHelloTimeout.isZero()) {
            throw new IllegalArgumentException("clientHelloTimeout must be positive, got " + clientHelloTimeout);
        }
    }

    /** HTTPS on {@code listen} with certificates from {@code sources} (in order), default limits. */
    public static HttpsSettings on(InetSocketAddress listen, ServerCertificates... sources) {
        return new HttpsSettings(listen, List.of(sources), DEFAULT_CLIENT_HELLO_LIMIT, DEFAULT_CLIENT_HELLO_TIMEOUT);
    }

    public boolean enabled() {
        return listen != null;
    }

    /** All sources as one: the first that holds a certificate for a name answers. */
    public ServerCertificates certificates() {
        return new CertificateChain(certificateSources);
    }

    /** Adds a source asked after those already given, e.g. certificates issued by ACME after the files. */
    public HttpsSettings withCertificateSource(ServerCertificates source) {
        List<ServerCertificates> sources = new ArrayList<>(certificateSources);
        sources.add(source);
        return new HttpsSettings(listen, sources, clientHelloLimit, clientHelloTimeout);
    }

    public HttpsSettings withClientHelloLimit(int bytes) {
        return new HttpsSettings(listen, certificateSources, bytes, clientHelloTimeout);
    }

    public HttpsSettings withClientHelloTimeout(Duration timeout) {
        return new HttpsSettings(listen, certificateSources, clientHelloLimit, timeout);
    }
}
