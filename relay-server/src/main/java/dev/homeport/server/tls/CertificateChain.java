package dev.homeport.server.tls;

import io.netty.handler.ssl.SslContext;

import java.util.List;

/**
 * Several certificate sources asked in turn, the first that holds a certificate for a name
 * answering: certificate files first, then, for example, certificates issued by ACME.
 */
public record CertificateChain(List<ServerCertificates> sources) implements ServerCertificates {
    public CertificateChain {
        sources = List.copyOf(sources);
    }

    @Override
    public SslContext forHostname(String hostname) {
        for (ServerCertificates source : sources) {
            SslContext context = source.forHostname(hostname);
            if (context != null) {
                return context;
            }
        }
        return null;
    }
}
