package dev.homeport.server.tls.acme;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import dev.homeport.server.tls.ServerCertificates;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContext;
import org.shredzone.acme4j.exception.AcmeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Certificates from an ACME CA for the host names clients bind. A name is ordered only when a
 * client with the right to it binds it ({@link #hostBound}), never because of a public TLS
 * connection, so nobody can make the relay spam the CA. Certificates are kept on disk and loaded
 * at start; a scheduler renews them ahead of expiry, and a renewed one is presented to new
 * connections at once. A failed order is retried with a doubling wait.
 *
 * <p>In a cluster ({@link ClusterCertificates}) a relay orders a name only while it holds the name's
 * order lock, publishes the challenge answers for every relay to serve and the certificate for every
 * relay to present (each keeps a copy in its own store); a relay that finds the lock held waits for
 * the certificate the holder publishes instead of ordering.
 *
 * <p>Every ACME exchange runs on one thread of its own; {@link #forHostname} answers from memory.
 */
public final class AcmeCertificates implements ServerCertificates, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AcmeCertificates.class);

    private final AcmeSettings settings;
    private final AcmeChallengeType challenge;
    private final CertificateStore store;
    private final AcmeAccount account;
    private final PendingChallenges pending = new PendingChallenges();
    private final CertificateOrder orders;
    private final AcmeMetrics metrics;
    private final Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();
    /** The cluster's orders, answers and certificates; {@code null} for a relay alone. */
    private SharedCertificates shared;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-acme");
        t.setDaemon(true);
        return t;
    });
    // Touched on the ACME thread only.
    private final Set<String> bound = new LinkedHashSet<>();
    private final OrderBackoff backoff;
    private final Map<String, ScheduledFuture<?>> scheduled = new HashMap<>();
    /** Binds waiting for a name's first certificate; each list is answered once, when its order ends. */
    private final Map<String, List<CompletableFuture<Boolean>>> waiting = new HashMap<>();

    private AcmeCertificates(AcmeSettings settings, AcmeChallengeType challenge, MeterRegistry registry) throws IOException {
        this.settings = settings;
        this.challenge = challenge;
        this.store = new CertificateStore(settings.stateDir());
        this.account = new AcmeAccount(settings, store);
        this.orders = new CertificateOrder(settings, challenge);
        this.metrics = new AcmeMetrics(registry);
        this.backoff = new OrderBackoff(settings);
    }

    /**
     * Loads the certificates on disk and starts the renewal checks. Nothing is sent to the CA until a
     * client binds a name.
     *
     * @param httpListenerOn whether the public HTTP listener runs (HTTP-01 needs it; it is the default then)
     */
    public static AcmeCertificates start(AcmeSettings settings, boolean httpListenerOn, MeterRegistry registry) {
        return start(settings, httpListenerOn, registry, null);
    }

    /**
     * As above, in a cluster: with {@code cluster} (or {@code null} for a relay alone) this relay
     * takes the cluster's certificates and answers and orders only under the name's lock.
     */
    public static AcmeCertificates start(AcmeSettings settings, boolean httpListenerOn, MeterRegistry registry,
                                         ClusterCertificates cluster) {
        AcmeChallengeType challenge = settings.challengeFor(httpListenerOn);
        if (challenge == AcmeChallengeType.HTTP_01 && !httpListenerOn) {
            throw new IllegalArgumentException("the ACME challenge http-01 is answered on the public HTTP listener: "
                    + "give --http HOST:PORT (port 80 to the outside), or choose --acme-challenge tls-alpn-01");
        }
        AcmeCertificates certificates = null;
        try {
            certificates = new AcmeCertificates(settings, challenge, registry);
            for (IssuedCertificate c : certificates.store.loadAll()) {
                certificates.issued.put(c.hostname(), c);
                log.info("event=acme_certificate_loaded host={} serial={} not_after={}", c.hostname(), c.serial(), c.notAfter());
            }
            if (cluster != null) {
                certificates.shared = SharedCertificates.follow(cluster, certificates.pending, certificates::adopt);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ACME certificates: " + e.getMessage(), e);
        } catch (RegistryUnavailableException e) {
            certificates.close();
            throw new IllegalStateException("cannot read the cluster's ACME certificates from the registry: " + e.getMessage(), e);
        }
        long every = settings.checkInterval().toMillis();
        certificates.thread.scheduleWithFixedDelay(certificates::checkRenewals, every, every, TimeUnit.MILLISECONDS);
        log.info("event=acme_started directory={} challenge={} state_dir={} certificates={} renew_when_remaining={} "
                        + "check_every={} only_under={} shared={}", settings.directory(), challenge, settings.stateDir(),
                certificates.issued.size(), settings.renewWhenRemaining(), settings.checkInterval(),
                settings.onlyUnder().isEmpty() ? "-" : settings.onlyUnder(), cluster != null);
        return certificates;
    }

    @Override
    public SslContext forHostname(String hostname) {
        SslContext proof = pending.alpnContext(hostname);
        if (proof != null) {
            return proof;
        }
        IssuedCertificate c = issued.get(hostname);
        return c == null ? null : c.context();
    }

    @Override
    public Map<String, java.time.Instant> expiries() {
        Map<String, java.time.Instant> all = new java.util.TreeMap<>();
        issued.forEach((host, c) -> all.put(host, c.notAfter()));
        return all;
    }

    /** What the public HTTP listener's {@link Http01ChallengeHandler} answers from. */
    public PendingChallenges pendingChallenges() {
        return pending;
    }

    public AcmeChallengeType challenge() {
        return challenge;
    }

    /** Whether the cluster shares this relay's orders: then it answers any relay's challenges, of either type. */
    public boolean shared() {
        return shared != null;
    }

    /**
     * A client with the right to {@code host} (canonical) bound it: order a certificate unless one is
     * held and fresh. The future says whether a certificate for it is held: at once if one is, else
     * when the first order ends (false if it failed, or the name is not for ACME).
     */
    public CompletableFuture<Boolean> hostBound(String host) {
        CompletableFuture<Boolean> held = new CompletableFuture<>();
        if (thread.isShutdown()) {
            held.complete(issued.containsKey(host));
            return held;
        }
        thread.execute(() -> want(host, held));
        return held;
    }

    private void want(String host, CompletableFuture<Boolean> held) {
        if (!settings.covers(host)) {
            log.info("event=acme_host_skipped host={} reason=\"not under {}\"", host, settings.onlyUnder());
            held.complete(false);
            return;
        }
        bound.add(host);
        IssuedCertificate current = issued.get(host);
        if (current != null) {
            held.complete(true);
        } else {
            waiting.computeIfAbsent(host, h -> new ArrayList<>()).add(held);
        }
        if (current == null || current.renewalDue(Instant.now(), settings.renewWhenRemaining())) {
            schedule(host, Duration.ZERO);
        }
    }

    /** The first order for {@code host} ended: tell the binds waiting for it. */
    private void answerWaiting(String host, boolean held) {
        List<CompletableFuture<Boolean>> w = waiting.remove(host);
        if (w != null) {
            w.forEach(f -> f.complete(held));
        }
    }

    private void checkRenewals() {
        Instant now = Instant.now();
        for (String host : bound) {
            IssuedCertificate held = issued.get(host);
            if (held != null && held.renewalDue(now, settings.renewWhenRemaining())) {
                schedule(host, Duration.ZERO);
            }
        }
    }

    private void schedule(String host, Duration delay) {
        if (!scheduled.containsKey(host)) {
            scheduled.put(host, thread.schedule(() -> order(host), delay.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private void order(String host) {
        scheduled.remove(host);
        IssuedCertificate previous = issued.get(host);
        String kind = previous == null ? "issue" : "renew";
        ClusterCertificates.OrderLock lock = null;
        try {
            ChallengeAnswers answers = pending;
            if (shared != null) {
                lock = shared.tryLock(host);
                if (lock == null) {
                    // Another relay orders it: its certificate comes by the watch, or its lock lapses and this relay orders.
                    log.debug("event=acme_order_elsewhere host={} recheck_in_ms={}", host, ClusterCertificates.LOCK_RECHECK.toMillis());
                    schedule(host, ClusterCertificates.LOCK_RECHECK);
                    return;
                }
                IssuedCertificate now = issued.get(host);
                if (now != null && !now.renewalDue(Instant.now(), settings.renewWhenRemaining())) {
                    backoff.reset(host); // the relay that held the lock before got it
                    answerWaiting(host, true);
                    return;
                }
                answers = shared.answersThrough(lock);
            }
            IssuedCertificate fresh = orders.obtain(account.login(), host, answers);
            store.save(fresh);
            issued.put(host, fresh);
            if (lock != null) {
                shared.publish(lock, fresh);
            }
            backoff.reset(host);
            metrics.order(kind, true);
            answerWaiting(host, true);
            log.info("event=acme_certificate_{} host={} serial={} not_after={} challenge={}", kind.equals("issue") ? "issued" : "renewed",
                    host, fresh.serial(), fresh.notAfter(), challenge);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RegistryUnavailableException e) {
            // No lock, no order: two relays must not order one name; retried like a failed order, but none was placed.
            retryLater(host, kind, e, "acme_order_deferred");
        } catch (AcmeException | IOException | RuntimeException e) {
            account.forget();
            metrics.order(kind, false);
            retryLater(host, kind, e, "acme_order_failed");
        } finally {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private void retryLater(String host, String kind, Exception e, String event) {
        int attempt = backoff.failed(host);
        Duration wait = backoff.after(attempt, e);
        answerWaiting(host, issued.containsKey(host));
        log.warn("event={} host={} kind={} attempt={} retry_in_s={} directory={} reason=\"{}\"", event, host, kind,
                attempt, wait.toMillis() / 1000.0, settings.directory(), reason(e));
        if (!thread.isShutdown()) {
            schedule(host, wait);
        }
    }

    /**
     * A certificate another relay of the cluster published (or that was in the registry at start),
     * on the registry's thread: presented to new connections at once when it is newer than the one
     * held, and kept in this relay's store, so a restart without the registry still has it.
     */
    private void adopt(IssuedCertificate c) {
        IssuedCertificate now = issued.compute(c.hostname(), (host, held) -> held == null || c.notAfter().isAfter(held.notAfter()) ? c : held);
        if (now != c) {
            return; // this relay's own, coming back by the watch, or older than the one held
        }
        metrics.shared();
        log.info("event=acme_certificate_shared host={} serial={} not_after={}", c.hostname(), c.serial(), c.notAfter());
        try {
            store.save(c);
        } catch (IOException e) {
            log.warn("event=acme_certificate_not_saved host={} dir={} reason=\"{}\"", c.hostname(), store.directory(), e.getMessage());
        }
        try {
            thread.execute(() -> answerWaiting(c.hostname(), true));
        } catch (RejectedExecutionException closing) {
            // Closing: nobody waits any more.
        }
    }

    private static String reason(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            message += ": " + cause.getMessage();
        }
        return message.replace('"', '\'');
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("event=acme_thread_slow_to_stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
