package dev.homeport.server.tls.acme;

import dev.homeport.server.tunnel.HostName;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Certificates for the relay's HTTPS host names from an ACME CA (RFC 8555), validated once.
 *
 * @param directory          the CA's directory URL (Let's Encrypt production by default)
 * @param email              contact for the account, or empty
 * @param challenge          which challenge to answer; {@code null}: HTTP-01 when the HTTP listener is on, else TLS-ALPN-01
 * @param trustCa            PEM file of the CA certificate to trust for the directory's HTTPS (a test CA), or {@code null}: the JDK's
 * @param stateDir           where the account key and the certificates are kept (a directory of its own)
 * @param onlyUnder          issue only names under this domain (and bound by a client); empty: any name a client binds
 * @param renewWhenRemaining renew when less than this fraction of a certificate's lifetime is left, in (0, 1];
 *                           1 renews at every check (for tests)
 * @param checkInterval      how often held certificates are checked for renewal
 * @param retryMin           first wait after a failed order; doubles per failure
 * @param retryMax           longest wait between attempts for one name
 * @param pollInterval       how often a pending challenge or order is polled
 * @param orderTimeout       how long one order may take before it counts as failed
 */
public record AcmeSettings(
        URI directory,
        String email,
        AcmeChallengeType challenge,
        Path trustCa,
        Path stateDir,
        String onlyUnder,
        double renewWhenRemaining,
        Duration checkInterval,
        Duration retryMin,
        Duration retryMax,
        Duration pollInterval,
        Duration orderTimeout,
        Duration bindWait) {

    public static final URI LETS_ENCRYPT = URI.create("https://acme-v02.api.letsencrypt.org/directory");
    public static final double DEFAULT_RENEW_WHEN_REMAINING = 1.0 / 3;
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofHours(12);
    public static final Duration DEFAULT_RETRY_MIN = Duration.ofMinutes(5); // Let's Encrypt allows 5 failed validations per name and hour
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofHours(6);
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_ORDER_TIMEOUT = Duration.ofMinutes(2);
    /**
     * How long BIND_OK for a name without a certificate waits for its first ACME order, so that the
     * URL the client prints is the https one the name is served on from then on (plain HTTP for it
     * is redirected once the certificate is there). After this the client is told the http URL.
     */
    public static final Duration DEFAULT_BIND_WAIT = Duration.ofSeconds(30);

    public AcmeSettings {
        Objects.requireNonNull(stateDir, "stateDir");
        directory = directory == null ? LETS_ENCRYPT : directory;
        if (!"https".equals(directory.getScheme()) && !"http".equals(directory.getScheme())) {
            throw new IllegalArgumentException("the ACME directory must be an https URL, got '" + directory + "'");
        }
        email = email == null ? "" : email.trim();
        if (!email.isEmpty() && (email.indexOf('@') < 1 || email.indexOf('@') == email.length() - 1)) {
            throw new IllegalArgumentException("the ACME email must be an address such as ops@example.com, got '" + email + "'");
        }
        onlyUnder = onlyUnder == null ? "" : HostName.canonical(onlyUnder);
        if (!onlyUnder.isEmpty() && !HostName.isValid(onlyUnder)) {
            throw new IllegalArgumentException("onlyUnder must be a domain such as example.com, got '" + onlyUnder + "'");
        }
        if (!(renewWhenRemaining > 0 && renewWhenRemaining <= 1)) {
            throw new IllegalArgumentException("renewWhenRemaining must be in (0, 1], got " + renewWhenRemaining);
        }
        positive(checkInterval, "checkInterval");
        positive(retryMin, "retryMin");
        positive(retryMax, "retryMax");
        positive(pollInterval, "pollInterval");
        positive(orderTimeout, "orderTimeout");
        bindWait = bindWait == null ? DEFAULT_BIND_WAIT : bindWait;
        if (bindWait.isNegative()) {
            throw new IllegalArgumentException("bindWait must not be negative, got " + bindWait);
        }
        if (retryMax.compareTo(retryMin) < 0) {
            throw new IllegalArgumentException("retryMax (" + retryMax + ") must not be shorter than retryMin (" + retryMin + ")");
        }
    }

    /** Let's Encrypt production, the challenge chosen at start, default timings, state kept in {@code stateDir}. */
    public static AcmeSettings of(URI directory, String email, Path stateDir) {
        return new AcmeSettings(directory, email, null, null, stateDir, "", DEFAULT_RENEW_WHEN_REMAINING,
                DEFAULT_CHECK_INTERVAL, DEFAULT_RETRY_MIN, DEFAULT_RETRY_MAX, DEFAULT_POLL_INTERVAL, DEFAULT_ORDER_TIMEOUT,
                DEFAULT_BIND_WAIT);
    }

    public AcmeSettings withChallenge(AcmeChallengeType type) {
        return new AcmeSettings(directory, email, type, trustCa, stateDir, onlyUnder, renewWhenRemaining, checkInterval,
                retryMin, retryMax, pollInterval, orderTimeout, bindWait);
    }

    public AcmeSettings withTrustCa(Path pem) {
        return new AcmeSettings(directory, email, challenge, pem, stateDir, onlyUnder, renewWhenRemaining, checkInterval,
                retryMin, retryMax, pollInterval, orderTimeout, bindWait);
    }

    public AcmeSettings withOnlyUnder(String domain) {
        return new AcmeSettings(directory, email, challenge, trustCa, stateDir, domain, renewWhenRemaining, checkInterval,
                retryMin, retryMax, pollInterval, orderTimeout, bindWait);
    }

    public AcmeSettings withRenewal(double whenRemaining, Duration every) {
        return new AcmeSettings(directory, email, challenge, trustCa, stateDir, onlyUnder, whenRemaining, every,
                retryMin, retryMax, pollInterval, orderTimeout, bindWait);
    }

    public AcmeSettings withRetry(Duration min, Duration max) {
        return new AcmeSettings(directory, email, challenge, trustCa, stateDir, onlyUnder, renewWhenRemaining, checkInterval,
                min, max, pollInterval, orderTimeout, bindWait);
    }

    public AcmeSettings withPolling(Duration interval, Duration timeout) {
        return new AcmeSettings(directory, email, challenge, trustCa, stateDir, onlyUnder, renewWhenRemaining, checkInterval,
                retryMin, retryMax, interval, timeout, bindWait);
    }

    public AcmeSettings withBindWait(Duration wait) {
        return new AcmeSettings(directory, email, challenge, trustCa, stateDir, onlyUnder, renewWhenRemaining, checkInterval,
                retryMin, retryMax, pollInterval, orderTimeout, wait);
    }

    /** The challenge to answer: the chosen one, or HTTP-01 when the public HTTP listener is on, else TLS-ALPN-01. */
    public AcmeChallengeType challengeFor(boolean httpListenerOn) {
        if (challenge != null) {
            return challenge;
        }
        return httpListenerOn ? AcmeChallengeType.HTTP_01 : AcmeChallengeType.TLS_ALPN_01;
    }

    /** Whether a bound name may be issued: any, or only names under {@link #onlyUnder}. */
    public boolean covers(String host) {
        return onlyUnder.isEmpty() || host.endsWith("." + onlyUnder);
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }
}
