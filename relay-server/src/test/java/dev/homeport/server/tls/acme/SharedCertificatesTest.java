package dev.homeport.server.tls.acme;

import dev.homeport.server.cluster.ClusterCertificates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a relay makes of the cluster's ACME values: answers served from memory, certificates parsed, the rest left out. */
class SharedCertificatesTest {
    private final PendingChallenges pending = new PendingChallenges();
    private final List<IssuedCertificate> adopted = new ArrayList<>();
    private ClusterCertificates.Listener listener;

    @BeforeEach
    void follow() throws Exception {
        SharedCertificates.follow(new ListenerOnly(), pending, adopted::add);
        assertThat(listener).isNotNull();
    }

    @Test
    void aCertificateWithItsKeyTravelsAsOnePemAndIsAdoptedWithAContext() throws Exception {
        IssuedCertificate sent = CertificateStoreTest.issued("web.example.com", Instant.now(), Instant.now().plus(Duration.ofDays(90)));
        listener.certificate("web.example.com", CertificatePem.encode(sent.key(), sent.chain()));

        assertThat(adopted).singleElement().satisfies(c -> {
            assertThat(c.hostname()).isEqualTo("web.example.com");
            assertThat(c.serial()).isEqualTo(sent.serial());
            assertThat(c.key().getPublic()).isEqualTo(sent.key().getPublic());
            assertThat(c.context()).isNotNull();
        });
    }

    @Test
    void anotherRelaysAnswersAreServedHereUntilTheyAreWithdrawn() throws Exception {
        listener.httpAnswer("web.example.com", "tok", "tok.thumb");
        assertThat(pending.httpAnswer("web.example.com", "tok")).isEqualTo("tok.thumb");
        assertThat(pending.httpAnswer("other.example.com", "tok")).as("asked with another Host").isNull();
        listener.httpAnswer("web.example.com", "tok", null);
        assertThat(pending.httpAnswer("web.example.com", "tok")).isNull();

        IssuedCertificate proof = CertificateStoreTest.issued("app.example.com", Instant.now(), Instant.now().plus(Duration.ofDays(7)));
        listener.alpnProof("app.example.com", CertificatePem.encode(proof.key(), proof.chain()));
        assertThat(pending.alpnContext("app.example.com")).isNotNull();
        listener.alpnProof("app.example.com", null);
        assertThat(pending.alpnContext("app.example.com")).isNull();
    }

    @Test
    void valuesTooLongOrThatDoNotParseAreLeftOut() throws Exception {
        listener.httpAnswer("web.example.com", "tok", "x".repeat(ClusterCertificates.MAX_HTTP_ANSWER_CHARS + 1));
        listener.alpnProof("app.example.com", "not pem");
        listener.certificate("web.example.com", "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"
                + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        IssuedCertificate big = CertificateStoreTest.issued("big.example.com", Instant.now(), Instant.now().plus(Duration.ofDays(9)));
        String pem = CertificatePem.encode(big.key(), big.chain());
        listener.certificate("big.example.com", pem + " ".repeat(ClusterCertificates.MAX_CERTIFICATE_CHARS));
        listener.certificate("not a host name", pem);

        assertThat(pending.httpAnswer("web.example.com", "tok")).isNull();
        assertThat(pending.alpnContext("app.example.com")).isNull();
        assertThat(adopted).isEmpty();
    }

    /** The registry side, as far as these tests need it: it hands out the listener. */
    private final class ListenerOnly implements ClusterCertificates {
        @Override
        public OrderLock tryLock(String host) {
            throw new UnsupportedOperationException("these tests order nothing");
        }

        @Override
        public void watch(Listener l) {
            listener = l;
        }

        @Override
        public void close() {
        }
    }
}
