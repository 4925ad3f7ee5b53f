package dev.homeport.server.tls.acme;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.server.tunnel.HostName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * This relay's side of the cluster's ACME coordination ({@link ClusterCertificates}): the challenge
 * answers any relay publishes go into this relay's {@link PendingChallenges}, so that whichever
 * relay the CA reaches answers from memory, and the certificates any relay publishes are handed to
 * {@code adopt}. Values from the registry are bounded and parsed here; one that is too long or does
 * not parse is logged and left out.
 */
final class SharedCertificates implements ClusterCertificates.Listener {
    private static final Logger log = LoggerFactory.getLogger(SharedCertificates.class);

    private final ClusterCertificates registry;
    private final PendingChallenges pending;
    private final Consumer<IssuedCertificate> adopt;

    private SharedCertificates(ClusterCertificates registry, PendingChallenges pending, Consumer<IssuedCertificate> adopt) {
        this.registry = registry;
        this.pending = pending;
        this.adopt = adopt;
    }

    /** Reads the registry's certificates and answers (each certificate to {@code adopt}), then follows its changes. */
    static SharedCertificates follow(ClusterCertificates registry, PendingChallenges pending, Consumer<IssuedCertificate> adopt)
            throws RegistryUnavailableException {
        SharedCertificates shared = new SharedCertificates(registry, pending, adopt);
        registry.watch(shared);
        return shared;
    }

    /** The order lock for {@code host}, or {@code null} while another relay orders it. */
    ClusterCertificates.OrderLock tryLock(String host) throws RegistryUnavailableException {
        return registry.tryLock(host);
    }

    /** The answers of an order under {@code lock}: served by every relay. */
    ChallengeAnswers answersThrough(ClusterCertificates.OrderLock lock) {
        return new SharedChallengeAnswers(pending, lock);
    }

    /**
     * Gives {@code fresh}, just issued, to every relay. A failure is logged: this relay serves it, and
     * another relay that needs the name orders its own once it can take the lock.
     */
    void publish(ClusterCertificates.OrderLock lock, IssuedCertificate fresh) {
        try {
            lock.publishCertificate(CertificatePem.encode(fresh.key(), fresh.chain()));
        } catch (RegistryUnavailableException | IOException e) {
            log.warn("event=acme_certificate_not_shared host={} serial={} reason=\"{}\"", fresh.hostname(), fresh.serial(),
                    e.getMessage());
        }
    }

    @Override
    public void httpAnswer(String host, String token, String keyAuthorization) {
        if (keyAuthorization == null) {
            pending.removeHttp(host, token);
        } else if (keyAuthorization.length() > ClusterCertificates.MAX_HTTP_ANSWER_CHARS || !HostName.isValid(host)) {
            ignored(host, "http-01 answer", "longer than " + ClusterCertificates.MAX_HTTP_ANSWER_CHARS + " characters or no host name");
        } else {
            pending.addHttp(host, token, keyAuthorization);
        }
    }

    @Override
    public void alpnProof(String host, String pem) {
        if (pem == null) {
            pending.removeAlpn(host);
            return;
        }
        if (pem.length() > ClusterCertificates.MAX_ALPN_PROOF_CHARS || !HostName.isValid(host)) {
            ignored(host, "tls-alpn-01 certificate", "longer than " + ClusterCertificates.MAX_ALPN_PROOF_CHARS
                    + " characters or no host name");
            return;
        }
        try {
            CertificatePem.Decoded proof = CertificatePem.decode(pem);
            pending.addAlpn(host, proof.key(), proof.chain().get(0));
        } catch (IOException | RuntimeException e) {
            ignored(host, "tls-alpn-01 certificate", e.getMessage());
        }
    }

    @Override
    public void certificate(String host, String pem) {
        if (pem.length() > ClusterCertificates.MAX_CERTIFICATE_CHARS || !HostName.isValid(host)) {
            ignored(host, "certificate", "longer than " + ClusterCertificates.MAX_CERTIFICATE_CHARS + " characters or no host name");
            return;
        }
        try {
            CertificatePem.Decoded c = CertificatePem.decode(pem);
            adopt.accept(IssuedCertificate.of(host, c.key(), c.chain()));
        } catch (IOException | RuntimeException e) {
            ignored(host, "certificate", e.getMessage());
        }
    }

    private static void ignored(String host, String what, String reason) {
        log.warn("event=acme_shared_value_ignored host={} value=\"{}\" reason=\"{}\"", host, what, String.valueOf(reason).replace('"', '\''));
    }
}
