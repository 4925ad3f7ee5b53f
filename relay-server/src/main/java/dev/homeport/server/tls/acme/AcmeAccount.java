package dev.homeport.server.tls.acme;

import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;

/**
 * The relay's account at the CA: the key kept in the store, registered (or found again, the CA
 * knows it by its key) on first use, so a CA that is down at start delays only the first order.
 */
final class AcmeAccount {
    private static final Logger log = LoggerFactory.getLogger(AcmeAccount.class);

    private final AcmeSettings settings;
    private final CertificateStore store;
    private final SSLContext trust;
    private Login login;

    /** Reads {@link AcmeSettings#trustCa()} now, so a wrong file is an error at start. */
    AcmeAccount(AcmeSettings settings, CertificateStore store) throws IOException {
        this.settings = settings;
        this.store = store;
        this.trust = settings.trustCa() == null ? null : trusting(settings.trustCa());
    }

    /** The logged-in account, registering it on first call; called on the ACME thread only. */
    Login login() throws AcmeException, IOException {
        if (login == null) {
            Session session = trust == null ? new Session(settings.directory())
                    : new Session(settings.directory(), new TrustingProvider(trust));
            AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(store.accountKey());
            if (!settings.email().isEmpty()) {
                builder.addEmail(settings.email());
            }
            login = builder.createLogin(session);
            log.info("event=acme_account_ready directory={} account={}", settings.directory(), login.getAccountLocation());
        }
        return login;
    }

    /**
     * After a failed order the next one logs in anew (one request: the CA finds the account by its
     * key, or registers it again if it forgot it, as a test CA does on restart).
     */
    void forget() {
        login = null;
    }

    private static SSLContext trusting(Path pem) throws IOException {
        if (!Files.isReadable(pem)) {
            throw new IOException("--acme-trust-ca " + pem + " is not a readable file");
        }
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                anchors.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("--acme-trust-ca " + pem + " holds no PEM certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("--acme-trust-ca " + pem + " is not a usable PEM certificate: " + e.getMessage(), e);
        }
    }

    /** Any RFC 8555 CA, reached over HTTPS that trusts only the given CA certificate (a test CA such as pebble's). */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext trust;

        TrustingProvider(SSLContext trust) {
            this.trust = trust;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings network) {
            return HttpClient.newBuilder()
                    .connectTimeout(network.getTimeout())
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .sslContext(trust)
                    .build();
        }
    }
}
