package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.ClusterCertificates;
import dev.homeport.server.cluster.RegistryUnavailableException;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's ACME answers and certificates ({@code acme/}) as one relay follows them: read once,
 * then watched from the revision after that read, each change told to the {@link ClusterCertificates.Listener}.
 * A failed watch is replaced after {@link #RESYNC_DELAY_MS} by a fresh read, which also withdraws the
 * answers deleted meanwhile. Order locks are not followed: only their holder needs them.
 */
final class EtcdAcmeWatch {
    private static final Logger log = LoggerFactory.getLogger(EtcdAcmeWatch.class);
    static final long RESYNC_DELAY_MS = 500;

    private final Client client;
    private final EtcdKeys keys;
    private final ScheduledExecutorService thread;
    private final long callTimeoutMillis;
    private final ClusterCertificates.Listener listener;
    /** The answer and certificate keys last seen, so a fresh read can tell which were deleted meanwhile. */
    private final Set<String> present = new HashSet<>();
    private Watch.Watcher watcher;
    private boolean closed;

    EtcdAcmeWatch(Client client, EtcdKeys keys, ScheduledExecutorService thread, long callTimeoutMillis,
                  ClusterCertificates.Listener listener) {
        this.client = client;
        this.keys = keys;
        this.thread = thread;
        this.callTimeoutMillis = callTimeoutMillis;
        this.listener = listener;
    }

    /** The first read, told to the listener before this returns, and the watch from the revision after it. */
    synchronized void start() throws RegistryUnavailableException {
        GetResponse all = Calls.await(client.getKVClient().get(Bytes.of(keys.acme()), GetOption.builder().isPrefix(true).build()),
                Calls.deadline(callTimeoutMillis), "read the cluster's ACME certificates");
        Set<String> gone = new HashSet<>(present);
        for (KeyValue kv : all.getKvs()) {
            String key = Bytes.text(kv.getKey());
            gone.remove(key);
            changed(key, Bytes.text(kv.getValue()));
        }
        gone.forEach(key -> changed(key, null));
        long from = all.getHeader().getRevision() + 1;
        watcher = client.getWatchClient().watch(Bytes.of(keys.acme()),
                WatchOption.builder().isPrefix(true).withRevision(from).build(),
                Watch.listener(this::onEvents, this::onWatchError, this::resyncLater));
        log.info("event=acme_shared_loaded prefix={} keys={} revision={}", keys.acme(), all.getKvs().size(), from - 1);
    }

    private synchronized void onEvents(WatchResponse response) {
        if (closed) {
            return;
        }
        for (WatchEvent e : response.getEvents()) {
            String key = Bytes.text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                changed(key, Bytes.text(e.getKeyValue().getValue()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                changed(key, null);
            }
        }
    }

    /** One key's new value, or {@code null} when it was deleted; one listener failure does not stop the others. */
    private void changed(String key, String value) {
        AcmeKey k = AcmeKey.parse(keys.prefix(), key);
        if (value == null) {
            present.remove(key);
        } else if (k.kind() != AcmeKey.Kind.ORDER && k.kind() != AcmeKey.Kind.OTHER) {
            present.add(key);
        }
        try {
            switch (k.kind()) {
                case HTTP_ANSWER -> listener.httpAnswer(k.host(), k.token(), value);
                case ALPN_PROOF -> listener.alpnProof(k.host(), value);
                case CERTIFICATE -> {
                    if (value != null) { // a deleted certificate stays presented until it is replaced or expires
                        listener.certificate(k.host(), value);
                    }
                }
                default -> {
                }
            }
        } catch (RuntimeException e) {
            log.warn("event=acme_shared_listener_failed key={} reason=\"{}\"", key, e.toString());
        }
    }

    private void onWatchError(Throwable t) {
        log.warn("event=acme_shared_watch_failed error=\"{}\" (reading the certificates again)", Calls.messages(t));
        resyncLater();
    }

    private void resyncLater() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        thread.schedule(this::resync, RESYNC_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    private synchronized void resync() {
        if (closed) {
            return;
        }
        if (watcher != null) {
            watcher.close();
        }
        try {
            start();
        } catch (RegistryUnavailableException | RuntimeException e) {
            log.warn("event=acme_shared_resync_failed error=\"{}\"", e.getMessage());
            resyncLater();
        }
    }

    synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.close();
        }
    }
}
