package dev.homeport.server.cli;

import dev.homeport.protocol.SettingValues;
import dev.homeport.server.https.HttpsSettings;
import dev.homeport.server.tls.CertificateFiles;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The public HTTPS listener (HTTP tunnels over TLS, TLS passthrough by SNI); off unless {@code --https} is given. */
final class HttpsOptions {
    @Option(names = "--https", paramLabel = "HOST:PORT", defaultValue = "${env:HOMEPORT_HTTPS}",
            description = "Serve HTTPS (HTTP tunnels, TLS ended here) and TLS tunnels (passed through by SNI) on this public "
                    + "address, e.g. 0.0.0.0:443 (env HOMEPORT_HTTPS). Default: off.")
    String listen;

    @Option(names = "--https-cert", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_HTTPS_CERT}",
            description = "Certificate chain (PEM) for --https, serving the DNS names in its subjectAltName, exact or "
                    + "wildcard (*.example.com: one label). Repeatable; the n-th goes with the n-th --https-key "
                    + "(env HOMEPORT_HTTPS_CERT: one).")
    List<Path> certificates;

    @Option(names = "--https-key", paramLabel = "FILE", defaultValue = "${env:HOMEPORT_HTTPS_KEY}",
            description = "Private key (PEM, unencrypted) of the matching --https-cert (env HOMEPORT_HTTPS_KEY).")
    List<Path> keys;

    @Option(names = "--tls-hello-limit", paramLabel = "SIZE", defaultValue = "16KiB",
            description = "Most bytes held from a public TLS connection before its ClientHello is complete; a longer "
                    + "hello is refused (closed). Default: ${DEFAULT-VALUE}.")
    String helloLimit;

    @Option(names = "--tls-hello-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "A public TLS connection must send its whole ClientHello within this time. Default: ${DEFAULT-VALUE}.")
    String helloTimeout;

    boolean enabled() {
        return listen != null && !listen.isBlank();
    }

    /** Checks every flag and loads every certificate file, so a bad file stops the relay before it binds anything. */
    HttpsSettings toSettings() {
        List<Path> certs = certificates == null ? List.of() : certificates;
        List<Path> privateKeys = keys == null ? List.of() : keys;
        if (!enabled()) {
            if (!certs.isEmpty() || !privateKeys.isEmpty()) {
                throw new IllegalArgumentException("--https-cert and --https-key need --https HOST:PORT, the public HTTPS listener");
            }
            return HttpsSettings.OFF;
        }
        if (certs.size() != privateKeys.size()) {
            throw new IllegalArgumentException("--https-cert and --https-key come in pairs: got " + certs.size()
                    + " certificate(s) and " + privateKeys.size() + " key(s)");
        }
        HttpsSettings settings = new HttpsSettings(HomeportServerCommand.parseHostPort(listen, "--https"), List.of(),
                SettingValues.intBytes(helloLimit, "--tls-hello-limit"), SettingValues.duration(helloTimeout, "--tls-hello-timeout"));
        if (!certs.isEmpty()) {
            List<CertificateFiles.Pair> pairs = new ArrayList<>();
            for (int i = 0; i < certs.size(); i++) {
                pairs.add(new CertificateFiles.Pair(certs.get(i), privateKeys.get(i)));
            }
            settings = settings.withCertificateSource(CertificateFiles.load(pairs));
        }
        return settings;
    }
}
