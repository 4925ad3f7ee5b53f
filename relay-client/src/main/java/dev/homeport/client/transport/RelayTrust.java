package dev.homeport.client.transport;

import dev.homeport.protocol.transport.CertificateFingerprint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * Decides whether the relay's certificate is the relay's, in this order: a pinned fingerprint
 * ({@code --fingerprint}) must match exactly; else a chain to a system-trusted CA with a matching
 * host name passes; else the known-relays file decides, recording the fingerprint on first use and
 * refusing a changed one. A client with several relays checks each by the name it dials (the engine's
 * peer host), so that each has its own line in that file.
 */
public final class RelayTrust extends X509ExtendedTrustManager {
    private static final Logger log = LoggerFactory.getLogger(RelayTrust.class);

    /** Thrown for a certificate the user must act on; the client gives up instead of retrying. */
    public static final class RejectedCertificate extends CertificateException {
        public RejectedCertificate(String message) {
            super(message);
        }
    }

    private final String givenRelay;
    private final String pinned;
    private final KnownRelays known;
    private final X509ExtendedTrustManager system;

    /**
     * @param relay  {@code HOST:PORT} as the user wrote it, the key in the known-relays file when the
     *               engine does not name its peer
     * @param pinned normalized fingerprint, or {@code null}
     * @param known  the known-relays file, or {@code null} to trust only CAs and the pin
     */
    public RelayTrust(String relay, String pinned, KnownRelays known) {
        this.givenRelay = relay;
        this.pinned = pinned;
        this.known = known;
        this.system = systemTrustManager();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        String relay = relayOf(engine);
        String fingerprint = CertificateFingerprint.of(chain[0]);
        if (pinned != null) {
            if (!pinned.equals(fingerprint)) {
                throw new RejectedCertificate("relay " + relay + " presented certificate " + fingerprint
                        + ", but --fingerprint expects " + pinned + "; refusing to connect");
            }
            return;
        }
        try {
            system.checkServerTrusted(chain, authType, engine);
            return;
        } catch (CertificateException notCaSigned) {
            if (known == null) {
                throw new RejectedCertificate("relay " + relay + " presented a certificate no trusted CA signed ("
                        + notCaSigned.getMessage() + "); pass --fingerprint " + fingerprint + " if it is yours");
            }
        }
        KnownRelays.Entry entry = known.find(relay);
        if (entry == null) {
            known.add(relay, fingerprint);
            log.warn("event=relay_trusted_on_first_use relay={} fingerprint={} file={}", relay, fingerprint, known.file());
            return;
        }
        if (!entry.fingerprint().equals(fingerprint)) {
            throw new RejectedCertificate("relay " + relay + " presented certificate " + fingerprint + ", but "
                    + known.file() + " line " + entry.line() + " records " + entry.fingerprint()
                    + ". If the relay's certificate was changed on purpose, delete that line or pass --fingerprint "
                    + fingerprint + "; otherwise someone may be intercepting the connection");
        }
    }

    /** The relay this handshake is with: the host and port the engine was made for, else the one given. */
    private String relayOf(SSLEngine engine) {
        String host = engine == null ? null : engine.getPeerHost();
        return host == null || engine.getPeerPort() <= 0 ? givenRelay : new RelayHost(host, engine.getPeerPort()).hostPort();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checkServerTrusted(chain, authType, (SSLEngine) null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the client does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the client does not accept client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the client does not accept client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return system.getAcceptedIssuers();
    }

    private static X509ExtendedTrustManager systemTrustManager() {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            for (var tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509 trust manager in " + factory.getAlgorithm());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the system's trusted CAs", e);
        }
    }
}
