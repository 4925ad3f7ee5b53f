package dev.homeport.server.tls.acme;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * One order's challenge answers in a cluster: kept on this relay, and published through the order's
 * lock so that every relay serves them (the CA may reach any relay behind the name's DNS records).
 * An answer is given {@link ClusterCertificates#ANSWER_SPREAD} to reach the other relays' watches
 * before the order asks the CA to check it. An answer that cannot be published fails the order.
 */
final class SharedChallengeAnswers implements ChallengeAnswers {
    private static final Logger log = LoggerFactory.getLogger(SharedChallengeAnswers.class);

    private final PendingChallenges local;
    private final ClusterCertificates.OrderLock lock;

    SharedChallengeAnswers(PendingChallenges local, ClusterCertificates.OrderLock lock) {
        this.local = local;
        this.lock = lock;
    }

    @Override
    public void addHttp(String hostname, String token, String keyAuthorization) throws IOException {
        local.addHttp(hostname, token, keyAuthorization);
        try {
            lock.publishHttpAnswer(token, keyAuthorization);
        } catch (RegistryUnavailableException e) {
            throw new IOException("cannot publish the http-01 answer for " + hostname + " to the other relays: " + e.getMessage(), e);
        }
        spread();
    }

    @Override
    public void removeHttp(String hostname, String token) {
        local.removeHttp(hostname, token);
        withdraw(hostname);
    }

    @Override
    public void addAlpn(String hostname, KeyPair key, X509Certificate proof) throws IOException {
        local.addAlpn(hostname, key, proof);
        try {
            lock.publishAlpnProof(CertificatePem.encode(key, List.of(proof)));
        } catch (RegistryUnavailableException e) {
            throw new IOException("cannot publish the tls-alpn-01 certificate for " + hostname + " to the other relays: "
                    + e.getMessage(), e);
        }
        spread();
    }

    @Override
    public void removeAlpn(String hostname) {
        local.removeAlpn(hostname);
        withdraw(hostname);
    }

    private void withdraw(String hostname) {
        try {
            lock.withdrawAnswers();
        } catch (RegistryUnavailableException e) {
            // They live under the lock's lease, which the order's end revokes (or which lapses).
            log.warn("event=acme_answer_withdraw_failed host={} reason=\"{}\"", hostname, e.getMessage());
        }
    }

    private static void spread() throws IOException {
        try {
            Thread.sleep(ClusterCertificates.ANSWER_SPREAD.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the challenge answer spread to the other relays", e);
        }
    }
}
