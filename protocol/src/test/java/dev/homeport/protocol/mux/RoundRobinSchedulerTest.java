package dev.homeport.protocol.mux;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Fair sending", the policy alone: which queue sends next, and how much. */
class RoundRobinSchedulerTest {
    private static final int FRAME = 100;

    private final RoundRobinScheduler scheduler = new RoundRobinScheduler(FRAME);
    private final List<SendQueue> queues = new ArrayList<>();
    private final Map<SendQueue, String> names = new IdentityHashMap<>();
    /** Turns the writer was given, as "name:bytes". */
    private final List<String> turns = new ArrayList<>();

    @AfterEach
    void releaseUnsent() {
        queues.forEach(SendQueue::discard);
    }

    /** A queue named {@code name} with {@code bytes} unsent and {@code window} credit. */
    private SendQueue queue(String name, int bytes, int window) {
        SendQueue q = new SendQueue(null, window);
        names.put(q, name);
        if (bytes > 0) {
            q.add(Unpooled.buffer(bytes).writeZero(bytes));
        }
        queues.add(q);
        return q;
    }

    /** Frames what it is given, as the session does, and takes frames while {@code frames} lasts. */
    private SendScheduler.Writer writer(int frames) {
        int[] left = {frames};
        return (q, n) -> {
            turns.add(names.get(q) + ":" + n);
            if (n > 0) {
                q.take(n).release();
            } else {
                q.takeFin();
            }
            return --left[0] > 0;
        };
    }

    @Test
    void queuesTakeTurnsOfOneFrameEach() {
        SendQueue bulk = queue("bulk", 250, 1000);
        SendQueue small = queue("small", 10, 1000);
        scheduler.update(bulk);
        scheduler.update(small);

        boolean more = scheduler.distribute(10_000, writer(100));

        assertThat(turns).containsExactly("bulk:100", "small:10", "bulk:100", "bulk:50");
        assertThat(more).isFalse();
    }

    @Test
    void aQueueWaitsOnceForATurnHoweverOftenItIsUpdated() {
        SendQueue q = queue("a", 50, 1000);

        assertThat(scheduler.update(q)).isTrue();
        assertThat(scheduler.update(q)).isFalse();
        scheduler.distribute(10_000, writer(100));

        assertThat(turns).containsExactly("a:50");
    }

    @Test
    void aQueueWithNothingToSendIsNotQueued() {
        SendQueue empty = queue("empty", 0, 1000);
        SendQueue noCredit = queue("noCredit", 50, 0);

        assertThat(scheduler.update(empty)).isFalse();
        assertThat(scheduler.update(noCredit)).isFalse();
        assertThat(scheduler.distribute(10_000, writer(100))).isFalse();
        assertThat(turns).isEmpty();
    }

    @Test
    void aTurnStaysWithinTheStreamCredit() {
        SendQueue q = queue("a", 250, 30);
        scheduler.update(q);

        boolean more = scheduler.distribute(10_000, writer(100));

        assertThat(turns).containsExactly("a:30");
        assertThat(more).as("waits for stream credit outside the scheduler").isFalse();
        q.grant(40);
        scheduler.update(q);
        scheduler.distribute(10_000, writer(100));
        assertThat(turns).containsExactly("a:30", "a:40");
    }

    @Test
    void withoutSessionCreditTheHeadKeepsItsTurn() {
        SendQueue a = queue("a", 150, 1000);
        SendQueue b = queue("b", 100, 1000);
        scheduler.update(a);
        scheduler.update(b);

        boolean more = scheduler.distribute(120, writer(100));

        assertThat(turns).containsExactly("a:100", "b:20");
        assertThat(more).isTrue();
        turns.clear();
        scheduler.distribute(1000, writer(100));
        assertThat(turns).as("a's turn came before b's second").containsExactly("a:50", "b:80");
    }

    @Test
    void aFinNeedsNoCreditAndFollowsTheData() {
        SendQueue a = queue("a", 100, 1000);
        a.requestFin();
        SendQueue b = queue("b", 0, 1000);
        b.requestFin();
        scheduler.update(a);
        scheduler.update(b);

        scheduler.distribute(100, writer(100));

        assertThat(turns).containsExactly("a:100", "b:0", "a:0");
        assertThat(a.finSent()).isTrue();
        assertThat(a.hasFrame()).isFalse();
    }

    @Test
    void stopsWhenTheWriterTakesNoMoreAndGoesOnFromThere() {
        SendQueue a = queue("a", 300, 1000);
        SendQueue b = queue("b", 300, 1000);
        scheduler.update(a);
        scheduler.update(b);

        assertThat(scheduler.distribute(10_000, writer(3))).isTrue();
        assertThat(turns).containsExactly("a:100", "b:100", "a:100");
        scheduler.distribute(10_000, writer(100));
        assertThat(turns).containsExactly("a:100", "b:100", "a:100", "b:100", "a:100", "b:100");
    }

    @Test
    void aQueueDiscardedWhileWaitingLosesItsTurn() {
        SendQueue a = queue("a", 50, 1000);
        SendQueue b = queue("b", 50, 1000);
        scheduler.update(a);
        scheduler.update(b);

        a.discard();
        scheduler.distribute(10_000, writer(100));

        assertThat(turns).containsExactly("b:50");
    }

    @Test
    void clearForgetsEveryWaitingQueue() {
        SendQueue a = queue("a", 50, 1000);
        scheduler.update(a);

        scheduler.clear();

        assertThat(scheduler.distribute(10_000, writer(100))).isFalse();
        assertThat(turns).isEmpty();
        assertThat(scheduler.update(a)).as("may wait again").isTrue();
    }
}
