package dev.homeport.server.tls.acme;

import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.util.KeyPairUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One ACME order for one host name, start to end (RFC 8555 section 7.4): new order, answer each
 * pending authorization with the chosen challenge, finalize with a fresh key, download the chain.
 * Blocking; runs on the ACME thread.
 */
final class CertificateOrder {
    private static final Logger log = LoggerFactory.getLogger(CertificateOrder.class);

    private final AcmeSettings settings;
    private final AcmeChallengeType challenge;

    CertificateOrder(AcmeSettings settings, AcmeChallengeType challenge) {
        this.settings = settings;
        this.challenge = challenge;
    }

    /** @param answers where the challenge answers are put while the CA checks them */
    IssuedCertificate obtain(Login login, String host, ChallengeAnswers answers) throws AcmeException, IOException, InterruptedException {
        Order order = login.newOrder().domain(host).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() != Status.VALID) {
                authorize(auth, host, answers);
            }
        }
        KeyPair key = KeyPairUtils.createECKeyPair("secp256r1");
        order.execute(key);
        await(order::getStatus, order::getError, order::fetch, "order for " + host);
        List<X509Certificate> chain = order.getCertificate().getCertificateChain();
        return IssuedCertificate.of(host, key, chain);
    }

    private void authorize(Authorization auth, String host, ChallengeAnswers answers) throws AcmeException, IOException, InterruptedException {
        if (challenge == AcmeChallengeType.HTTP_01) {
            Http01Challenge c = auth.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the CA offers no http-01 challenge for " + host));
            answers.addHttp(host, c.getToken(), c.getAuthorization());
            try {
                answer(c, host);
            } finally {
                answers.removeHttp(host, c.getToken());
            }
        } else {
            TlsAlpn01Challenge c = auth.findChallenge(TlsAlpn01Challenge.class)
                    .orElseThrow(() -> new AcmeException("the CA offers no tls-alpn-01 challenge for " + host));
            KeyPair key = KeyPairUtils.createKeyPair(2048); // acme4j signs the challenge certificate with SHA256withRSA
            X509Certificate proof = c.createCertificate(key, auth.getIdentifier());
            answers.addAlpn(host, key, proof);
            try {
                answer(c, host);
            } finally {
                answers.removeAlpn(host);
            }
        }
    }

    private void answer(Challenge c, String host) throws AcmeException, InterruptedException {
        log.info("event=acme_challenge_triggered host={} challenge={}", host, challenge);
        c.trigger();
        await(c::getStatus, c::getError, c::fetch, challenge + " challenge for " + host);
    }

    private interface Fetch {
        void fetch() throws AcmeException;
    }

    /** Polls until VALID; INVALID, or no answer within the order timeout, is an {@link AcmeException} naming the CA's reason. */
    private void await(Supplier<Status> status, Supplier<Optional<org.shredzone.acme4j.Problem>> error, Fetch fetch, String what)
            throws AcmeException, InterruptedException {
        long deadline = System.nanoTime() + settings.orderTimeout().toNanos();
        while (true) {
            Status s = status.get();
            if (s == Status.VALID) {
                return;
            }
            if (s == Status.INVALID) {
                throw new AcmeException(what + " is invalid: " + error.get().map(Object::toString).orElse("the CA gave no reason"));
            }
            if (System.nanoTime() > deadline) {
                throw new AcmeException(what + " still " + s + " after " + settings.orderTimeout().toSeconds() + " s");
            }
            Thread.sleep(settings.pollInterval().toMillis());
            fetch.fetch();
        }
    }
}
