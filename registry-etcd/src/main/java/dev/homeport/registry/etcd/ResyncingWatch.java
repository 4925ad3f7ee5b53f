package dev.homeport.registry.etcd;

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

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One etcd prefix followed into memory: read whole, then watched from the revision after that read, so no
 * change falls between the two. When the watch fails or ends (etcd compacted the revision it needs, refused
 * it, or went away) the prefix is read and watched afresh after {@link #RESYNC_DELAY_MS}, again until etcd
 * answers. Once {@link #close} has returned, the {@link Follower} hears nothing more.
 */
final class ResyncingWatch {
    private static final Logger log = LoggerFactory.getLogger(ResyncingWatch.class);
    /** Pause before reading everything again after a failed watch, so an etcd that is down is not hammered. */
    static final long RESYNC_DELAY_MS = 500;

    /** What is told of the prefix. Each call holds the watch's lock: calls never overlap, and none comes after close. */
    interface Follower {
        /** Everything under the prefix at one revision: the first read, and each read after a failed watch. */
        void reset(List<KeyValue> kvs);

        /** The changes after the last reset, in revision order. */
        void changed(List<WatchEvent> events);
    }

    private final Client client;
    private final String prefix;
    private final boolean withPrevKv;
    private final String topic;
    private final ScheduledExecutorService thread;
    private final long callTimeoutMillis;
    private final Follower follower;
    private final AtomicBoolean resyncScheduled = new AtomicBoolean();
    /**
     * Counts the watches started; jetcd's callbacks for any but the newest are dropped. Without it, closing the
     * old watch in a resync (jetcd then calls its onCompleted) would schedule the next resync, and so on forever.
     * Written under the lock, read without it by the error callbacks, which jetcd calls holding a lock of its own.
     */
    private volatile long generation;
    private volatile boolean closed;
    private Watch.Watcher watcher;

    /**
     * @param withPrevKv whether deletion events carry the deleted value (its lease among it)
     * @param topic      names the prefix in log events ({@code event=TOPIC_loaded}) and errors
     */
    ResyncingWatch(Client client, String prefix, boolean withPrevKv, String topic, ScheduledExecutorService thread,
                   long callTimeoutMillis, Follower follower) {
        this.client = client;
        this.prefix = prefix;
        this.withPrevKv = withPrevKv;
        this.topic = topic;
        this.thread = thread;
        this.callTimeoutMillis = callTimeoutMillis;
        this.follower = follower;
    }

    /** The first read, told to the follower before this returns, and the watch after it; throws when etcd does not answer. */
    void start() throws RegistryUnavailableException {
        readAndWatch();
    }

    /**
     * Drops the current watch, reads the prefix and watches from the revision after the read. The read holds no
     * lock: jetcd delivers events and answers on the same threads, and an event waiting for the lock would hold
     * up the answer.
     */
    private void readAndWatch() throws RegistryUnavailableException {
        long mine;
        synchronized (this) {
            if (closed) {
                return;
            }
            mine = ++generation;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
        GetResponse all = Calls.await(client.getKVClient().get(Bytes.of(prefix), GetOption.builder().isPrefix(true).build()),
                Calls.deadline(callTimeoutMillis), "read the cluster's " + topic + " under " + prefix);
        long from = all.getHeader().getRevision() + 1;
        synchronized (this) {
            if (closed || mine != generation) {
                return;
            }
            follower.reset(all.getKvs());
            watcher = client.getWatchClient().watch(Bytes.of(prefix),
                    WatchOption.builder().isPrefix(true).withRevision(from).withPrevKV(withPrevKv).build(),
                    Watch.listener(r -> onEvents(mine, r), t -> onWatchError(mine, t), () -> onWatchEnded(mine)));
        }
        log.info("event={}_loaded prefix={} keys={} revision={}", topic, prefix, all.getKvs().size(), from - 1);
    }

    private void onEvents(long of, WatchResponse response) {
        if (closed || of != generation || response.getEvents().isEmpty()) {
            return; // checked before the lock too: a dropped watch's late events do not wait behind a resync
        }
        synchronized (this) {
            if (closed || of != generation) {
                return;
            }
            try {
                follower.changed(response.getEvents());
            } catch (RuntimeException e) {
                // What the follower holds may be half updated: a fresh read puts it right.
                log.warn("event={}_follow_failed prefix={} reason=\"{}\" (reading it again)", topic, prefix, e.toString());
                resyncLater();
            }
        }
    }

    private void onWatchError(long of, Throwable t) {
        if (closed || of != generation) {
            return;
        }
        log.warn("event={}_watch_failed prefix={} error=\"{}\" (reading it again)", topic, prefix, Calls.messages(t));
        resyncLater();
    }

    private void onWatchEnded(long of) {
        if (closed || of != generation) {
            return;
        }
        log.debug("event={}_watch_ended prefix={} (reading it again)", topic, prefix);
        resyncLater();
    }

    /** At most one resync waits at a time: a failed watch reports both an error and its end. */
    private void resyncLater() {
        if (closed || !resyncScheduled.compareAndSet(false, true)) {
            return;
        }
        try {
            thread.schedule(this::resync, RESYNC_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            resyncScheduled.set(false); // the owner is closing: its thread is shut down
        }
    }

    private void resync() {
        resyncScheduled.set(false);
        try {
            readAndWatch();
        } catch (RegistryUnavailableException | RuntimeException e) {
            log.warn("event={}_resync_failed prefix={} error=\"{}\"", topic, prefix, e.getMessage());
            resyncLater();
        }
    }

    /** Stops for good: once this returns, no watch is started and the follower is not called (a read under way is dropped). */
    synchronized void close() {
        closed = true;
        if (watcher != null) {
            watcher.close(); // its onCompleted, called from here, finds the watch closed
            watcher = null;
        }
    }
}
