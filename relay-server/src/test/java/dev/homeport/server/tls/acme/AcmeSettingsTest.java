package dev.homeport.server.tls.acme;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The ACME settings: defaults, validation, the challenge chosen by default, the names covered, and the retry waits. */
class AcmeSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreLetsEncryptARenewalAtAThirdLeftAndHttp01OnlyWithTheHttpListener() {
        AcmeSettings s = AcmeSettings.of(null, "", dir);
        assertThat(s.directory()).isEqualTo(URI.create("https://acme-v02.api.letsencrypt.org/directory"));
        assertThat(s.renewWhenRemaining()).isEqualTo(1.0 / 3);
        assertThat(s.challengeFor(true)).isEqualTo(AcmeChallengeType.HTTP_01);
        assertThat(s.challengeFor(false)).isEqualTo(AcmeChallengeType.TLS_ALPN_01);
        assertThat(s.withChallenge(AcmeChallengeType.TLS_ALPN_01).challengeFor(true)).isEqualTo(AcmeChallengeType.TLS_ALPN_01);
    }

    @Test
    void onlyUnderADomainCoversItsSubdomainsAndNothingElse() {
        AcmeSettings s = AcmeSettings.of(null, "", dir).withOnlyUnder("Example.COM.");
        assertThat(s.covers("jupyter.example.com")).isTrue();
        assertThat(s.covers("example.com")).isFalse();
        assertThat(s.covers("evil-example.com")).isFalse();
        assertThat(AcmeSettings.of(null, "", dir).covers("anything.example.org")).isTrue();
    }

    @Test
    void badValuesAreRefusedNamingTheSetting() {
        AcmeSettings s = AcmeSettings.of(null, "", dir);
        assertThatThrownBy(() -> s.withRenewal(0, Duration.ofHours(1))).hasMessageContaining("renewWhenRemaining");
        assertThatThrownBy(() -> s.withRenewal(0.5, Duration.ZERO)).hasMessageContaining("checkInterval");
        assertThatThrownBy(() -> s.withRetry(Duration.ofMinutes(5), Duration.ofMinutes(1))).hasMessageContaining("retryMax");
        assertThatThrownBy(() -> s.withPolling(Duration.ofSeconds(1), Duration.ofSeconds(-1))).hasMessageContaining("orderTimeout");
        assertThatThrownBy(() -> AcmeSettings.of(URI.create("ftp://x/dir"), "", dir)).hasMessageContaining("https URL");
        assertThatThrownBy(() -> AcmeSettings.of(null, "nobody", dir)).hasMessageContaining("email");
    }

    @Test
    void failedOrdersWaitDoublingFromTheMinimumUpToTheMaximum() {
        AcmeSettings s = AcmeSettings.of(null, "", dir).withRetry(Duration.ofMinutes(1), Duration.ofMinutes(10));
        OrderBackoff backoff = new OrderBackoff(s);
        assertThat(backoff.backoff(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(backoff.backoff(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(backoff.backoff(4)).isEqualTo(Duration.ofMinutes(8));
        assertThat(backoff.backoff(5)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.backoff(60)).isEqualTo(Duration.ofMinutes(10));
        assertThat(backoff.failed("a.example.com")).isEqualTo(1);
        assertThat(backoff.failed("a.example.com")).isEqualTo(2);
        assertThat(backoff.after(2, new IllegalStateException("CA down"))).isEqualTo(Duration.ofMinutes(2));
        backoff.reset("a.example.com");
        assertThat(backoff.failed("a.example.com")).isEqualTo(1);
    }

    @Test
    void http01WithoutTheHttpListenerIsRefusedAtStart() {
        AcmeSettings s = AcmeSettings.of(null, "", dir).withChallenge(AcmeChallengeType.HTTP_01);
        assertThatThrownBy(() -> AcmeCertificates.start(s, false, new SimpleMeterRegistry()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--http");
    }

    @Test
    void theOrderCounterIsVisibleAtZeroForEachKindAndOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (AcmeCertificates acme = AcmeCertificates.start(AcmeSettings.of(null, "", dir), true, registry)) {
            assertThat(registry.find("homeport.acme.orders").counters()).hasSize(4).allSatisfy(c -> assertThat(c.count()).isZero());
            assertThat(acme.forHostname("web.example.com")).as("nothing held, nothing ordered").isNull();
        }
    }
}
