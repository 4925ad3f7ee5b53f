package dev.homeport.server.cli;

import dev.homeport.protocol.SettingValues;
import dev.homeport.server.http.HttpSettings;
import dev.homeport.server.tls.acme.AcmeChallengeType;
import dev.homeport.server.tls.acme.AcmeSettings;
import picocli.CommandLine.Option;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Certificates for HTTPS host names from an ACME CA (Let's Encrypt or any RFC 8555 CA); off unless {@code --acme} is given. */
final class AcmeOptions {
    @Option(names = "--acme", defaultValue = "${env:HOMEPORT_ACME:-false}",
            description = "Get certificates from an ACME CA for the host names clients bind (env HOMEPORT_ACME). Default: off.")
    boolean enabled;

    @Option(names = "--acme-directory", paramLabel = "URL", defaultValue = "${env:HOMEPORT_ACME_DIRECTORY}",
            description = "The CA's ACME directory (env HOMEPORT_ACME_DIRECTORY). Default: Let's Encrypt production, "
                    + "https://acme-v02.api.letsencrypt.org/directory.")
    String directory;

    @Option(names = "--acme-email", paramLabel = "ADDRESS", defaultValue = "${env:HOMEPORT_ACME_EMAIL:-}",
            description = "Contact address for the ACME account, for the CA's expiry notices (env HOMEPORT_ACME_EMAIL).")
    String email;

    @Option(names = "--acme-challenge", paramLabel = "TYPE", defaultValue = "${env:HOMEPORT_ACME_CHALLENGE:-auto}",
            description = "http-01 (answered on --http, port 80 from outside), tls-alpn-01 (answered on the HTTPS port, 443 "
                    + "from outside) or auto: http-01 when --http is on, else tls-alpn-01. Default: ${DEFAULT-VALUE}.")
    String challenge;

    @Option(names = "--acme-trust-ca", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_ACME_TRUST_CA}",
            description = "PEM CA certificate to trust for the directory's HTTPS instead of the JDK's, for a test CA such as pebble.")
    Path trustCa;

    @Option(names = "--acme-domain-only",
            description = "Issue only names under --domain (as clients bind them), not other full names tokens may bind.")
    boolean domainOnly;

    @Option(names = "--acme-renew-fraction", paramLabel = "F", defaultValue = "0.3333",
            description = "Renew a certificate when less than this fraction of its lifetime is left, in (0, 1]. "
                    + "Default: ${DEFAULT-VALUE} (a 90-day certificate is renewed 30 days before it expires).")
    String renewFraction;

    @Option(names = "--acme-check-interval", paramLabel = "DURATION", defaultValue = "12h",
            description = "How often held certificates are checked for renewal. Default: ${DEFAULT-VALUE}.")
    String checkInterval;

    @Option(names = "--acme-retry-min", paramLabel = "DURATION", defaultValue = "5m",
            description = "Wait after a failed order; doubles with each failure for the same name. Default: ${DEFAULT-VALUE}.")
    String retryMin;

    @Option(names = "--acme-retry-max", paramLabel = "DURATION", defaultValue = "6h",
            description = "Longest wait between attempts for one name. Default: ${DEFAULT-VALUE}.")
    String retryMax;

    /** {@code null} when ACME is off; {@code http} is the public HTTP listener's settings (--http, --domain). */
    @Option(names = "--acme-bind-wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long a client binding a name without a certificate waits for its first ACME order, so "
                    + "that the URL it prints is the https one (plain HTTP to the name is redirected once the certificate "
                    + "is there). After this it is told the http URL, which then serves without the redirect until the "
                    + "client binds again. 0s answers at once. Default: ${DEFAULT-VALUE}.")
    String bindWait;

    AcmeSettings toSettings(Path stateDir, HttpSettings http) {
        String domain = http.domain();
        if (!enabled) {
            if (directory != null && !directory.isBlank() || !email.isBlank() || trustCa != null || domainOnly) {
                throw new IllegalArgumentException("--acme-directory, --acme-email, --acme-trust-ca and --acme-domain-only "
                        + "need --acme, which turns ACME certificates on");
            }
            return null;
        }
        if (domainOnly && domain.isBlank()) {
            throw new IllegalArgumentException("--acme-domain-only needs --domain DOMAIN");
        }
        double fraction;
        try {
            fraction = Double.parseDouble(renewFraction);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--acme-renew-fraction must be a number in (0, 1] such as 0.33, got '" + renewFraction + "'");
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("--acme-renew-fraction must be in (0, 1], got " + renewFraction);
        }
        AcmeChallengeType type = AcmeChallengeType.parse(challenge, "--acme-challenge");
        if (type == AcmeChallengeType.HTTP_01 && !http.enabled()) {
            throw new IllegalArgumentException("--acme-challenge http-01 is answered on the public HTTP listener: give --http "
                    + "HOST:PORT (port 80 from outside), or use tls-alpn-01");
        }
        if (trustCa != null && !Files.isReadable(trustCa)) {
            throw new IllegalArgumentException("--acme-trust-ca " + trustCa + " is not a readable file");
        }
        URI uri = directory == null || directory.isBlank() ? AcmeSettings.LETS_ENCRYPT : parseUri(directory);
        return AcmeSettings.of(uri, email, stateDir.resolve("acme"))
                .withChallenge(type)
                .withTrustCa(trustCa)
                .withOnlyUnder(domainOnly ? domain : "")
                .withRenewal(fraction, SettingValues.duration(checkInterval, "--acme-check-interval"))
                .withRetry(SettingValues.duration(retryMin, "--acme-retry-min"), SettingValues.duration(retryMax, "--acme-retry-max"))
                .withBindWait(SettingValues.duration(bindWait, "--acme-bind-wait"));
    }

    private static URI parseUri(String text) {
        try {
            URI uri = new URI(text.trim());
            if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("--acme-directory must be an https URL such as "
                        + AcmeSettings.LETS_ENCRYPT + ", got '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--acme-directory must be an https URL, got '" + text + "': " + e.getReason());
        }
    }
}
