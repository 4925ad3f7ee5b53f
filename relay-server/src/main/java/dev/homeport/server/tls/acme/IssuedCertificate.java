package dev.homeport.server.tls.acme;

import dev.homeport.server.tls.ServerTls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.SSLException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A certificate the CA issued for one host name, its key, and the TLS context that presents them. */
record IssuedCertificate(String hostname, KeyPair key, List<X509Certificate> chain, SslContext context) {

    static IssuedCertificate of(String hostname, KeyPair key, List<X509Certificate> chain) throws SSLException {
        SslContext context = SslContextBuilder.forServer(key.getPrivate(), chain)
                .sslProvider(ServerTls.provider())
                .protocols(ServerTls.PROTOCOLS)
                .build();
        return new IssuedCertificate(hostname, key, List.copyOf(chain), context);
    }

    X509Certificate leaf() {
        return chain.get(0);
    }

    Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** Due when less than {@code fraction} of the lifetime is left (or it expired). */
    boolean renewalDue(Instant now, double fraction) {
        Instant notBefore = leaf().getNotBefore().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter());
        Duration left = Duration.between(now, notAfter());
        return left.toMillis() < lifetime.toMillis() * fraction;
    }

    String serial() {
        return leaf().getSerialNumber().toString(16);
    }
}
