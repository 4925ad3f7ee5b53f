package dev.homeport.client.inspect;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The last {@code capacity} exchanges, by id: a newer snapshot of an exchange replaces the older in
 * place, and the oldest exchange is forgotten when a new one would exceed the capacity, so memory
 * stays bounded whatever the load. Written on the client's loop, read by the inspector's.
 */
public final class ExchangeRing {
    private final int capacity;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Exchange> entries;
    private final List<Consumer<Exchange>> watchers = new CopyOnWriteArrayList<>();

    public ExchangeRing(int capacity) {
        this.capacity = capacity;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 4096) * 2) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Exchange> eldest) {
                return size() > ExchangeRing.this.capacity;
            }
        };
    }

    long nextId() {
        return ids.incrementAndGet();
    }

    /** Adds or replaces the snapshot of {@code exchange}, and tells every watcher. */
    void publish(Exchange exchange) {
        synchronized (entries) {
            if (entries.containsKey(exchange.id()) || exchange.id() > newestEvicted()) {
                entries.put(exchange.id(), exchange);
            }
        }
        for (Consumer<Exchange> w : watchers) {
            w.accept(exchange);
        }
    }

    /** An exchange that was already forgotten is not brought back by a late update. */
    private long newestEvicted() {
        if (entries.size() < capacity) {
            return 0;
        }
        return entries.keySet().iterator().next() - 1;
    }

    public Exchange get(long id) {
        synchronized (entries) {
            return entries.get(id);
        }
    }

    /** Every kept exchange, newest first. */
    public List<Exchange> newestFirst() {
        List<Exchange> all;
        synchronized (entries) {
            all = new ArrayList<>(entries.values());
        }
        java.util.Collections.reverse(all);
        return all;
    }

    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    public int capacity() {
        return capacity;
    }

    public void watch(Consumer<Exchange> watcher) {
        watchers.add(watcher);
    }

    public void unwatch(Consumer<Exchange> watcher) {
        watchers.remove(watcher);
    }
}
