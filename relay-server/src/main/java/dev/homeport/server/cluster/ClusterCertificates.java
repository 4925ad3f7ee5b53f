package dev.homeport.server.cluster;

import java.time.Duration;

/**
 * ACME across a cluster, in the registry (docs/cluster.md, "Certificates"): at most one relay orders
 * a name at a time (an order lock under a lease), the challenge answers of that order are published
 * for every relay to serve, since the CA may reach any of them, and the certificate it gets is
 * published for every relay to present. Values are PEM text; the relay core parses them. Blocking
 * calls wait at most the registry call timeout, so never on an event loop.
 */
public interface ClusterCertificates extends AutoCloseable {
    /** The longest HTTP-01 key authorization published or accepted (RFC 8555's are under 100 characters). */
    int MAX_HTTP_ANSWER_CHARS = 1024;
    /** The longest TLS-ALPN-01 challenge certificate with its key, in PEM (an RSA 2048 pair is about 3 KiB). */
    int MAX_ALPN_PROOF_CHARS = 16 * 1024;
    /** The longest certificate chain with its key, in PEM (a Let's Encrypt chain is about 4 KiB). */
    int MAX_CERTIFICATE_CHARS = 64 * 1024;
    /**
     * How long an order waits after publishing a challenge answer before it asks the CA to check it,
     * so that the other relays' watches have delivered it (milliseconds on a LAN) when the CA arrives.
     */
    Duration ANSWER_SPREAD = Duration.ofMillis(500);
    /** How often a relay that wants a name another relay is ordering looks whether that order ended. */
    Duration LOCK_RECHECK = Duration.ofSeconds(2);

    /** What every relay is told as the registry's certificates and challenge answers change. Called on the registry's thread. */
    interface Listener {
        /** An HTTP-01 answer for {@code token} requested with Host {@code host}; {@code keyAuthorization} null: withdrawn. */
        void httpAnswer(String host, String token, String keyAuthorization);

        /** The TLS-ALPN-01 challenge certificate and key (PEM) for {@code host}; {@code pem} null: withdrawn. */
        void alpnProof(String host, String pem);

        /** The certificate chain and key (PEM) issued for {@code host}, as first read and whenever it is replaced. */
        void certificate(String host, String pem);
    }

    /**
     * This relay's right to order one name, held under a lease the registry keeps alive until
     * {@link #close}: a relay that dies loses it after the lease's TTL, and another may order. The
     * challenge answers published through it live under the same lease.
     */
    interface OrderLock extends AutoCloseable {
        String host();

        void publishHttpAnswer(String token, String keyAuthorization) throws RegistryUnavailableException;

        void publishAlpnProof(String pem) throws RegistryUnavailableException;

        /** Withdraws every answer published through this lock (the challenge ended). */
        void withdrawAnswers() throws RegistryUnavailableException;

        /** Publishes the issued certificate; it outlives the lock, and replaces the one published before. */
        void publishCertificate(String pem) throws RegistryUnavailableException;

        /** Gives the lock up, and with it the answers still published; never throws (the lease lapses anyway). */
        @Override
        void close();
    }

    /**
     * Takes the order lock for {@code host} if no relay holds it.
     *
     * @return the lock, or {@code null} when another relay holds it (it is ordering the name)
     */
    OrderLock tryLock(String host) throws RegistryUnavailableException;

    /**
     * Tells {@code listener} every certificate and answer in the registry now, before returning, and
     * then every change, until {@link #close}. Throws when the first read fails.
     */
    void watch(Listener listener) throws RegistryUnavailableException;

    @Override
    void close();
}
