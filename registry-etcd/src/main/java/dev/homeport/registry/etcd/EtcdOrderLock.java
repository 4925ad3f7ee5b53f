package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * One relay's order lock for one host name: {@code acme/orders/HOST} under a lease of its own that
 * this relay renews while the lock is held. The order's challenge answers are written under the same
 * lease, so a relay killed mid-order leaves nothing behind once the lease's TTL is over, and
 * {@link #close} (revoking the lease) removes the lock and the answers in one call.
 */
final class EtcdOrderLock implements ClusterCertificates.OrderLock {
    private static final Logger log = LoggerFactory.getLogger(EtcdOrderLock.class);
    /** RFC 8555 section 8.1: a token is base64url; anything else would not be a valid key segment either. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

    private final Client client;
    private final EtcdKeys keys;
    private final String host;
    private final long lease;
    private final long timeoutMillis;
    private final Runnable onClose;
    private final ScheduledFuture<?> renewal;

    /**
     * Renews the lease every third of its TTL on {@code thread}, with one unary call each time (as the
     * relay lease does), not jetcd's streaming keep-alive: that one writes from a timer of its own,
     * and a write racing the client's close is a buffer gRPC loses (grpc-java #8330), which fails the
     * tests' leak check.
     */
    EtcdOrderLock(Client client, EtcdKeys keys, String host, long lease, long ttlSeconds, long timeoutMillis,
                  ScheduledExecutorService thread, Runnable onClose) {
        this.client = client;
        this.keys = keys;
        this.host = host;
        this.lease = lease;
        this.timeoutMillis = timeoutMillis;
        this.onClose = onClose;
        long period = Math.max(500, TimeUnit.SECONDS.toMillis(ttlSeconds) / 3);
        this.renewal = thread.scheduleWithFixedDelay(() -> renew(period), period, period, TimeUnit.MILLISECONDS);
    }

    private void renew(long period) {
        try {
            Calls.await(client.getLeaseClient().keepAliveOnce(lease), Calls.deadline(Math.min(period, timeoutMillis)),
                    "renew the order lock for " + host);
        } catch (RegistryUnavailableException e) {
            // The lease lapses after its TTL and another relay may order: at worst the CA issues the name twice.
            log.warn("event=acme_order_lock_renewal_failed host={} reason=\"{}\"", host, e.getMessage());
        }
    }

    @Override
    public String host() {
        return host;
    }

    @Override
    public void publishHttpAnswer(String token, String keyAuthorization) throws RegistryUnavailableException {
        if (!TOKEN.matcher(token).matches() || keyAuthorization.length() > ClusterCertificates.MAX_HTTP_ANSWER_CHARS) {
            throw new IllegalArgumentException("an http-01 token is base64url and its answer at most "
                    + ClusterCertificates.MAX_HTTP_ANSWER_CHARS + " characters, got token '" + token + "'");
        }
        put(keys.acmeHttpAnswer(host, token), keyAuthorization, true, "publish the http-01 answer for " + host);
    }

    @Override
    public void publishAlpnProof(String pem) throws RegistryUnavailableException {
        bounded(pem, ClusterCertificates.MAX_ALPN_PROOF_CHARS, "tls-alpn-01 certificate");
        put(keys.acmeAlpnProof(host), pem, true, "publish the tls-alpn-01 certificate for " + host);
    }

    @Override
    public void withdrawAnswers() throws RegistryUnavailableException {
        Calls.await(client.getKVClient().txn().Then(
                        Op.delete(Bytes.of(keys.acmeHttpAnswers(host)), DeleteOption.builder().isPrefix(true).build()),
                        Op.delete(Bytes.of(keys.acmeAlpnProof(host)), DeleteOption.DEFAULT)).commit(),
                Calls.deadline(timeoutMillis), "withdraw the challenge answers for " + host);
    }

    @Override
    public void publishCertificate(String pem) throws RegistryUnavailableException {
        bounded(pem, ClusterCertificates.MAX_CERTIFICATE_CHARS, "certificate");
        put(keys.acmeCertificate(host), pem, false, "publish the certificate for " + host);
    }

    private void put(String key, String value, boolean underLease, String what) throws RegistryUnavailableException {
        PutOption option = underLease ? PutOption.builder().withLeaseId(lease).build() : PutOption.DEFAULT;
        Calls.await(client.getKVClient().put(Bytes.of(key), Bytes.of(value), option), Calls.deadline(timeoutMillis), what);
    }

    private void bounded(String pem, int max, String what) {
        if (pem.length() > max) {
            throw new IllegalArgumentException("the " + what + " for " + host + " is " + pem.length()
                    + " characters of PEM, more than the " + max + " the relays accept");
        }
    }

    /**
     * Stops renewing the lease without giving the lock up: it lapses after its TTL, as after a kill -9.
     * The relay's registry does this to the locks still held when it closes, before its client.
     */
    void stopRenewing() {
        renewal.cancel(false);
    }

    @Override
    public void close() {
        onClose.run();
        renewal.cancel(false);
        try {
            Calls.await(client.getLeaseClient().revoke(lease), Calls.deadline(timeoutMillis), "give up the order lock for " + host);
        } catch (RegistryUnavailableException e) {
            log.warn("event=acme_order_lock_release_failed host={} reason=\"{}\" (it lapses with its lease)", host, e.getMessage());
        }
    }
}
