package dev.homeport.protocol.mux;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Streams take turns in the order they became ready; a turn is one frame of at most the peer's
 * {@code max_frame_payload}, so a bulk stream delays an interactive one by one frame per busy
 * stream. Without session credit, the stream whose turn it is keeps it until credit comes back.
 */
final class RoundRobinScheduler implements SendScheduler {
    private final int maxFrame;
    private final ArrayDeque<SendQueue> ready = new ArrayDeque<>();
    private final Set<SendQueue> waiting = Collections.newSetFromMap(new IdentityHashMap<>());

    /** @param maxFrame the most data bytes of one turn */
    RoundRobinScheduler(int maxFrame) {
        this.maxFrame = maxFrame;
    }

    @Override
    public boolean update(SendQueue queue) {
        if (queue.hasFrame() && waiting.add(queue)) {
            ready.add(queue);
            return true;
        }
        return false;
    }

    @Override
    public boolean distribute(long maxBytes, Writer writer) {
        long left = maxBytes;
        for (SendQueue q; (q = ready.peek()) != null; ) {
            int sendable = q.sendableBytes();
            if (sendable > 0 && left <= 0) {
                return true; // the head keeps its turn until the session has credit again
            }
            ready.poll();
            waiting.remove(q);
            if (!q.hasFrame()) {
                continue; // ended, or used its credit, since it was queued
            }
            int n = (int) Math.min(Math.min(sendable, maxFrame), left);
            left -= n;
            boolean more = writer.write(q, n);
            update(q);
            if (!more) {
                break;
            }
        }
        return !ready.isEmpty();
    }

    @Override
    public void clear() {
        ready.clear();
        waiting.clear();
    }
}
