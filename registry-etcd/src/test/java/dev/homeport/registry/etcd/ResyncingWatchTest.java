package dev.homeport.registry.etcd;

import dev.homeport.server.cluster.RegistryOptions;
import dev.homeport.testsupport.etcd.EtcdCluster;
import dev.homeport.testsupport.programs.RequiresProgram;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.watch.WatchEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.homeport.registry.etcd.Relays.await;
import static org.assertj.core.api.Assertions.assertThat;

/** One prefix followed through a real etcd: its events, the fresh read after a broken watch, and silence after close. */
@RequiresProgram(value = EtcdCluster.PROGRAM, debianPackage = EtcdCluster.DEBIAN_PACKAGE)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ResyncingWatchTest {
    private static final String PREFIX = "/resync-test/";
    private static final long CALL_TIMEOUT_MS = 5_000;
    /** Long enough for a few resyncs to have started, had one been scheduled. */
    private static final long QUIET_MS = 3 * ResyncingWatch.RESYNC_DELAY_MS;

    private EtcdCluster etcd;
    private Client writer;
    private Client reader;
    private ScheduledThreadPoolExecutor thread;

    @BeforeEach
    void startEtcd() throws Exception {
        etcd = EtcdCluster.start(1);
        RegistryOptions options = RegistryOptions.of(etcd.endpoints()).withCallTimeout(Duration.ofMillis(CALL_TIMEOUT_MS));
        writer = EtcdClients.open(options);
        reader = EtcdClients.open(options);
        thread = new ScheduledThreadPoolExecutor(1);
    }

    @AfterEach
    void stopEtcd() throws Exception {
        thread.shutdownNow();
        thread.awaitTermination(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        reader.close();
        writer.close();
        etcd.close();
    }

    @Test
    void theFirstReadIsToldBeforeStartReturnsAndTheChangesAfterItArriveInOrder() throws Exception {
        put("a", "1");
        Recorder seen = new Recorder();
        ResyncingWatch watch = follow(seen);
        watch.start();
        assertThat(seen.keys).containsExactlyEntriesOf(Map.of(PREFIX + "a", "1"));

        put("b", "2");
        delete("a");
        put("b", "3");
        await(Duration.ofSeconds(5), "three changes arriving", () -> seen.changes.size() == 3);
        assertThat(seen.changes).containsExactly("PUT b=2", "DELETE a", "PUT b=3");
        assertThat(seen.keys).containsExactlyEntriesOf(Map.of(PREFIX + "b", "3"));
        assertThat(seen.resets.get()).isEqualTo(1);
        watch.close();
    }

    @Test
    void aWatchWhoseRevisionWasCompactedReadsThePrefixAgainAndFollowsOnFromThere() throws Exception {
        Recorder seen = new Recorder();
        // Between the first read and the watch it starts: two writes, and a compaction of the revision the watch needs.
        seen.afterFirstReset = () -> {
            put("x", "1");
            long last = put("x", "2");
            writer.getKVClient().compact(last).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        };
        ResyncingWatch watch = follow(seen);
        watch.start();
        assertThat(seen.keys).isEmpty();

        await(Duration.ofSeconds(10), "a fresh read after the compaction", () -> seen.resets.get() == 2);
        assertThat(seen.keys).containsExactlyEntriesOf(Map.of(PREFIX + "x", "2"));
        put("y", "1");
        await(Duration.ofSeconds(5), "a change after the fresh read", () -> seen.changes.contains("PUT y=1"));

        Thread.sleep(QUIET_MS);
        assertThat(seen.resets.get()).as("reads after the one resync (closing its old watch must not start another)").isEqualTo(2);
        watch.close();
    }

    @Test
    void aWatchBrokenByAnEtcdRestartReadsThePrefixAgainOnceAndFollowsTheChangesAfter() throws Exception {
        put("a", "1");
        Recorder seen = new Recorder();
        ResyncingWatch watch = follow(seen);
        watch.start();

        etcd.kill(0);
        etcd.restart(0);
        await(Duration.ofSeconds(30), "a fresh read after etcd restarted", () -> seen.resets.get() >= 2);
        assertThat(seen.keys).containsExactlyEntriesOf(Map.of(PREFIX + "a", "1"));
        int resets = seen.resets.get();

        put("b", "1");
        await(Duration.ofSeconds(5), "a change after the restart", () -> "1".equals(seen.keys.get(PREFIX + "b")));
        Thread.sleep(QUIET_MS);
        assertThat(seen.resets.get()).as("reads once the watch runs again").isEqualTo(resets);
        watch.close();
    }

    @Test
    void aClosedWatchHearsNothingMoreEvenWithAResyncPendingWhenItClosed() throws Exception {
        Recorder closed = new Recorder();
        Recorder witness = new Recorder();
        ResyncingWatch closing = follow(closed);
        ResyncingWatch open = follow(witness);
        closing.start();
        open.start();

        etcd.kill(0); // both watches fail, and each schedules a fresh read, failing until etcd is back
        await(Duration.ofSeconds(10), "both watches failing and scheduling a fresh read", () -> thread.getQueue().size() == 2);
        closing.close();
        int callsAtClose = closed.calls.get();
        etcd.restart(0);
        put("k", "1");
        await(Duration.ofSeconds(30), "the open watch seeing the write after the restart",
                () -> "1".equals(witness.keys.get(PREFIX + "k")));
        assertThat(witness.resets.get()).as("the open watch read again").isGreaterThanOrEqualTo(2);
        Thread.sleep(QUIET_MS);
        assertThat(closed.calls.get()).as("calls to the closed watch's follower after close").isEqualTo(callsAtClose);
        assertThat(closed.keys).doesNotContainKey(PREFIX + "k");
        open.close();
    }

    private ResyncingWatch follow(Recorder follower) {
        return new ResyncingWatch(reader, PREFIX, false, "test", thread, CALL_TIMEOUT_MS, follower);
    }

    /** @return the revision of the write */
    private long put(String key, String value) throws Exception {
        return writer.getKVClient().put(Bytes.of(PREFIX + key), Bytes.of(value)).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .getHeader().getRevision();
    }

    private void delete(String key) throws Exception {
        writer.getKVClient().delete(Bytes.of(PREFIX + key)).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    /** What one follower was told: the keys as it sees them, the changes in order, how many full reads. */
    private static final class Recorder implements ResyncingWatch.Follower {
        final Map<String, String> keys = new ConcurrentHashMap<>();
        final List<String> changes = new CopyOnWriteArrayList<>();
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        ThrowingRunnable afterFirstReset;

        interface ThrowingRunnable {
            void run() throws Exception;
        }

        @Override
        public void reset(List<KeyValue> kvs) {
            calls.incrementAndGet();
            keys.clear();
            kvs.forEach(kv -> keys.put(Bytes.text(kv.getKey()), Bytes.text(kv.getValue())));
            if (resets.incrementAndGet() == 1 && afterFirstReset != null) {
                try {
                    afterFirstReset.run();
                } catch (Exception e) {
                    throw new IllegalStateException("the test's writes after the first read failed", e);
                }
            }
        }

        @Override
        public void changed(List<WatchEvent> events) {
            calls.incrementAndGet();
            List<String> described = new ArrayList<>();
            for (WatchEvent e : events) {
                String key = Bytes.text(e.getKeyValue().getKey());
                String name = key.substring(PREFIX.length());
                if (e.getEventType() == WatchEvent.EventType.PUT) {
                    keys.put(key, Bytes.text(e.getKeyValue().getValue()));
                    described.add("PUT " + name + "=" + Bytes.text(e.getKeyValue().getValue()));
                } else if (e.getEventType() == WatchEvent.EventType.DELETE) {
                    keys.remove(key);
                    described.add("DELETE " + name);
                }
            }
            changes.addAll(described);
        }
    }
}
