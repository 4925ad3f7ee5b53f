package dev.homeport.client.inspect;

import java.net.InetSocketAddress;

/**
 * The request inspector's limits, validated once.
 *
 * @param address     where the inspector's page listens (the next free port above it if taken), or {@code null} for no inspector
 * @param capacity    requests kept, newest first; older ones are forgotten (--inspect-capacity)
 * @param bodyLimit   bytes of each request and response body kept for display and replay (--inspect-body-limit)
 * @param showSecrets show Authorization, cookies and tokens in URLs instead of masking them (--inspect-show-secrets)
 */
public record InspectSettings(InetSocketAddress address, int capacity, int bodyLimit, boolean showSecrets) {
    public static final String DEFAULT_ADDRESS = "127.0.0.1:4040";
    public static final int DEFAULT_CAPACITY = 1000;
    public static final int DEFAULT_BODY_LIMIT = 4 * 1024;
    /** Ports tried above a taken one before the inspector gives up. */
    public static final int PORT_ATTEMPTS = 20;
    /** Largest request or response head read; a longer one is not inspected (the bytes still pass). */
    public static final int MAX_HEAD_BYTES = 64 * 1024;
    /**
     * How often, at most, an open WebSocket's frame counts are republished while frames flow: the
     * page shows a kernel channel's counts grow, at one snapshot per connection per interval.
     */
    public static final long FRAME_COUNT_PUBLISH_MILLIS = 250;
    public static final InspectSettings OFF = new InspectSettings(null, DEFAULT_CAPACITY, DEFAULT_BODY_LIMIT, false);

    public InspectSettings {
        if (capacity < 1 || capacity > 1_000_000) {
            throw new IllegalArgumentException("--inspect-capacity must be 1-1000000 requests, got " + capacity);
        }
        if (bodyLimit < 0 || bodyLimit > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("--inspect-body-limit must be 0-16MiB, got " + bodyLimit);
        }
    }

    public static InspectSettings on(InetSocketAddress address) {
        return new InspectSettings(address, DEFAULT_CAPACITY, DEFAULT_BODY_LIMIT, false);
    }

    public boolean enabled() {
        return address != null;
    }

    /** Whether the page listens beyond this machine, which the client then says. */
    public boolean exposed() {
        return address != null && !address.getAddress().isLoopbackAddress();
    }
}
