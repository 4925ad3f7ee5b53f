package dev.homeport.server.tls.acme;

import io.netty.handler.ssl.SslContext;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The challenges the CA may be checking right now, written by the ACME thread and read on event
 * loops: HTTP-01 answers by token, and TLS-ALPN-01 challenge certificates by host name. An entry
 * lives only while its order is being validated.
 */
public final class PendingChallenges {
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

    void addHttp(String hostname, String token, String keyAuthorization) {
        byToken.put(token, new HttpAnswer(hostname, keyAuthorization));
    }

    void removeHttp(String token) {
        byToken.remove(token);
    }

    void addAlpn(String hostname, SslContext context) {
        alpnByHost.put(hostname, context);
    }

    void removeAlpn(String hostname) {
        alpnByHost.remove(hostname);
    }
}
