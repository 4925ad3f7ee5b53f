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

    @Override
    public java.util.Map<String, java.time.Instant> expiries() {
        java.util.Map<String, java.time.Instant> all = new java.util.TreeMap<>();
        for (ServerCertificates source : sources) {
            source.expiries().forEach(all::putIfAbsent);
        }
        return all;
    }
}
