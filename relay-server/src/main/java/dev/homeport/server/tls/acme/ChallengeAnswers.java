package dev.homeport.server.tls.acme;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;

/**
 * Where an order puts the answers the CA will check, and takes them back when the check ended:
 * this relay's {@link PendingChallenges}, or, in a cluster, every relay's ({@link SharedChallengeAnswers}).
 */
interface ChallengeAnswers {
    void addHttp(String hostname, String token, String keyAuthorization) throws IOException;

    void removeHttp(String hostname, String token);

    /** The TLS-ALPN-01 challenge certificate {@code proof} and its key, for {@code hostname}. */
    void addAlpn(String hostname, KeyPair key, X509Certificate proof) throws IOException;

    void removeAlpn(String hostname);
}
