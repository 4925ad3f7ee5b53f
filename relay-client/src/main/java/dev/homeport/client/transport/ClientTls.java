package dev.homeport.client.transport;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;

/** TLS 1.3/1.2 toward the relay, verified by {@link RelayTrust}; BoringSSL when it loads, else the JDK's engine. */
public final class ClientTls {
    private ClientTls() {
    }

    public static SslProvider provider() {
        return !"jdk".equalsIgnoreCase(System.getProperty("homeport.tls.provider")) && OpenSsl.isAvailable()
                ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    public static SslContext context(RelayTrust trust) throws SSLException {
        return SslContextBuilder.forClient()
                .sslProvider(provider())
                .protocols("TLSv1.3", "TLSv1.2")
                .trustManager(trust)
                .build();
    }
}
