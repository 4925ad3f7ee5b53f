package dev.homeport.server.tls.acme;

import dev.homeport.server.tls.ServerTls;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The challenges the CA may be checking right now, written by the ACME thread (or, in a cluster, the
 * registry's watch) and read on event loops: HTTP-01 answers by token, and TLS-ALPN-01 challenge
 * certificates by host name. An entry lives only while its order is being validated.
 */
public final class PendingChallenges implements ChallengeAnswers {
    private record HttpAnswer(String hostname, String keyAuthorization) {
    }

    private final Map<String, HttpAnswer> byToken = new ConcurrentHashMap<>();
    private final Map<String, SslContext> alpnByHost = new ConcurrentHashMap<>();

    /** The key authorization for {@code token} requested with Host {@code hostname}, or {@code null}. */
    public String httpAnswer(String hostname, String token) {
        HttpAnswer a = byToken.get(token);
        return a != null && a.hostname().equals(hostname) ? a.keyAuthorization() : null;
    }

    /** The challenge certificate's context for {@code hostname} while a TLS-ALPN-01 challenge is pending, or {@code null}. */
    public SslContext alpnContext(String hostname) {
        return alpnByHost.get(hostname);
    }

    @Override
    public void addHttp(String hostname, String token, String keyAuthorization) {
        byToken.put(token, new HttpAnswer(hostname, keyAuthorization));
    }

    @Override
    public void removeHttp(String hostname, String token) {
        byToken.remove(token);
    }

    @Override
    public void addAlpn(String hostname, KeyPair key, X509Certificate proof) throws IOException {
        alpnByHost.put(hostname, alpnContext(key, proof));
    }

    @Override
    public void removeAlpn(String hostname) {
        alpnByHost.remove(hostname);
    }

    /** RFC 8737: the challenge certificate, offered only with ALPN acme-tls/1. */
    private static SslContext alpnContext(KeyPair key, X509Certificate proof) throws IOException {
        return SslContextBuilder.forServer(key.getPrivate(), proof)
                .sslProvider(ServerTls.provider())
                .protocols(ServerTls.PROTOCOLS)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        TlsAlpn01Challenge.ACME_TLS_1_PROTOCOL))
                .build();
    }
}
