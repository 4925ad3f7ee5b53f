package dev.homeport.registry.etcd;

import dev.homeport.protocol.handshake.TokenKey;
import dev.homeport.server.auth.Reservations;
import dev.homeport.server.auth.TokenDirectory;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;
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

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The cluster's tokens as one relay's handshake reads them: read once, then watched from the revision
 * after that read, so a login never waits on etcd and a {@code token revoke} on any host reaches every
 * relay as soon as etcd sends the event. A removed token, or one whose key changed, is announced to the
 * {@link #onRevoked} listeners. A failed watch is replaced after {@link #RESYNC_DELAY_MS} by a fresh read,
 * which announces whatever was revoked meanwhile; until then the tokens last seen stay valid.
 */
final class EtcdTokenDirectory implements TokenDirectory {
    private static final Logger log = LoggerFactory.getLogger(EtcdTokenDirectory.class);
    static final long RESYNC_DELAY_MS = 500;

    private final Client client;
    private final EtcdKeys keys;
    private final ScheduledExecutorService thread;
    private final long callTimeoutMillis;
    private final List<Consumer<String>> revokedListeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, TokenFile.Entry> byName = Map.of();
    private volatile Map<Long, TokenFile.Entry> byId = Map.of();
    private Watch.Watcher watcher;
    private volatile boolean closed;

    EtcdTokenDirectory(Client client, EtcdKeys keys, ScheduledExecutorService thread, long callTimeoutMillis) {
        this.client = client;
        this.keys = keys;
        this.thread = thread;
        this.callTimeoutMillis = callTimeoutMillis;
    }

    /** The first read and the watch; throws when etcd does not answer the read (the relay then does not start). */
    synchronized void start() throws RegistryUnavailableException {
        GetResponse all = Calls.await(client.getKVClient().get(Bytes.of(keys.tokens()), GetOption.builder().isPrefix(true).build()),
                Calls.deadline(callTimeoutMillis), "read the cluster's tokens");
        Map<String, TokenFile.Entry> fresh = new HashMap<>();
        for (KeyValue kv : all.getKvs()) {
            apply(fresh, Bytes.text(kv.getKey()), Bytes.text(kv.getValue()));
        }
        replace(fresh);
        long from = all.getHeader().getRevision() + 1;
        watcher = client.getWatchClient().watch(Bytes.of(keys.tokens()),
                WatchOption.builder().isPrefix(true).withRevision(from).build(),
                Watch.listener(this::onEvents, this::onWatchError, this::resyncLater));
        log.info("event=tokens_loaded prefix={} tokens={} revision={}", keys.tokens(), fresh.size(), from - 1);
    }

    int size() {
        return byName.size();
    }

    @Override
    public TokenKey find(long tokenId) {
        TokenFile.Entry e = byId.get(tokenId);
        return e == null ? null : e.key();
    }

    @Override
    public TokenRights rights(String principal) {
        TokenFile.Entry e = byName.get(principal);
        return e == null ? null : e.rights();
    }

    @Override
    public String reservedBy(int port) {
        return Reservations.ofPort(byName.values(), port);
    }

    @Override
    public String reservedHostBy(String host) {
        return Reservations.ofHost(byName.values(), host);
    }

    @Override
    public void onRevoked(Consumer<String> listener) {
        revokedListeners.add(listener);
    }

    private synchronized void onEvents(WatchResponse response) {
        Map<String, TokenFile.Entry> next = new HashMap<>(byName);
        for (WatchEvent e : response.getEvents()) {
            String key = Bytes.text(e.getKeyValue().getKey());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                apply(next, key, Bytes.text(e.getKeyValue().getValue()));
            } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                next.remove(keys.tokenName(key));
            }
        }
        replace(next);
    }

    /** Records one token key; a malformed value, or the name kept for the --token holder, leaves the token out. */
    private void apply(Map<String, TokenFile.Entry> into, String key, String value) {
        String name = keys.tokenName(key);
        if (TokenFile.isReserved(name)) {
            log.warn("event=token_ignored key={} reason=\"reserved for the --token holder; revoke it and add it under another name\"",
                    key);
            into.remove(name);
            return;
        }
        try {
            into.put(name, TokenValue.decode(name, value));
        } catch (RuntimeException e) {
            log.warn("event=token_ignored key={} reason=\"{}\"", key, e.getMessage());
            into.remove(name);
        }
    }

    private void replace(Map<String, TokenFile.Entry> next) {
        Map<Long, TokenFile.Entry> ids = new HashMap<>();
        next.values().forEach(e -> ids.put(e.key().id(), e));
        Map<String, TokenFile.Entry> previous = byName;
        byName = Map.copyOf(next);
        byId = Map.copyOf(ids);
        for (TokenFile.Entry old : previous.values()) {
            TokenFile.Entry now = next.get(old.name());
            if (now == null || !Arrays.equals(now.keyHash(), old.keyHash())) {
                announceRevoked(old.name());
            }
        }
    }

    private void announceRevoked(String name) {
        log.info("event=token_revoked name={} source=etcd", name);
        for (Consumer<String> l : revokedListeners) {
            try {
                l.accept(name);
            } catch (RuntimeException e) {
                // One listener's failure must not keep the others (closing sessions elsewhere) from hearing it.
                log.warn("event=token_revoked_listener_failed name={} reason=\"{}\"", name, e.toString());
            }
        }
    }

    private void onWatchError(Throwable t) {
        log.warn("event=tokens_watch_failed error=\"{}\" (reading the tokens again)", Calls.messages(t));
        resyncLater();
    }

    private void resyncLater() {
        if (!closed) {
            thread.schedule(this::resync, RESYNC_DELAY_MS, TimeUnit.MILLISECONDS);
        }
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
            log.warn("event=tokens_resync_failed error=\"{}\"", e.getMessage());
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
