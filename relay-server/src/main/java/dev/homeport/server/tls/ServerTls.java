package dev.homeport.server.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/**
 * TLS for the relay's control port: TLS 1.3 and 1.2 only, BoringSSL through netty-tcnative when it
 * loads (several times faster than the JDK's engine), the JDK's otherwise.
 */
public final class ServerTls {
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private ServerTls() {
    }

    public static SslProvider provider() {
        return !"jdk".equalsIgnoreCase(System.getProperty("homeport.tls.provider")) && OpenSsl.isAvailable()
                ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public static SslContext context(RelayCertificate certificate) throws SSLException {
        return SslContextBuilder.forServer(certificate.certificateFile().toFile(), certificate.keyFile().toFile())
                .sslProvider(provider())
                .protocols(PROTOCOLS)
                .build();
    }
}
