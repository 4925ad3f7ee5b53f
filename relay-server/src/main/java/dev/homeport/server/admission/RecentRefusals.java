package dev.homeport.server.admission;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The last refusals the relay made, for the admin dashboard: a bounded list (the oldest is dropped
 * when it is full, {@code --dashboard-refusals}), so a flood of refused connections costs a fixed
 * amount of memory. Reasons are the relay's own short codes, never text a peer sent.
 */
public final class RecentRefusals {
    /** What kind of refusal: an address over its failed-handshake budget, a failed handshake, a limit reached. */
    public static final String THROTTLED = "throttled";
    public static final String DENIED = "denied";
    public static final String LIMIT = "limit";

    /** One refusal: when, what kind, the peer's address (IP:port), and why. */
    public record Entry(long atMillis, String kind, String remote, String reason) {
    }

    private final int capacity;
    private final ArrayDeque<Entry> entries;

    public RecentRefusals(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be zero or positive, got " + capacity);
        }
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    public void add(String kind, SocketAddress remote, String reason) {
        if (capacity == 0) {
            return;
        }
        Entry e = new Entry(System.currentTimeMillis(), kind, describe(remote), reason);
        synchronized (entries) {
            if (entries.size() == capacity) {
                entries.pollLast();
            }
            entries.addFirst(e);
        }
    }

    /** Newest first. */
    public List<Entry> list() {
        synchronized (entries) {
            return new ArrayList<>(entries);
        }
    }

    public int capacity() {
        return capacity;
    }

    private static String describe(SocketAddress remote) {
        if (remote instanceof InetSocketAddress a && a.getAddress() != null) {
            String ip = a.getAddress().getHostAddress();
            return (ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip) + ":" + a.getPort();
        }
        return remote == null ? "-" : String.valueOf(remote);
    }
}
