package dev.homeport.server.metrics;

import dev.homeport.protocol.mux.StreamTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of relay-to-relay peer links (docs/cluster.md, "Peer link"): links up now by who
 * dialed, streams forwarded to a peer (arriving relay) and taken from one (owning relay), refusals
 * by reason, and the bytes forwarded each way. Tags are a direction, a tunnel kind or a reason:
 * never a peer's id or address, so their number does not grow with the cluster.
 */
public final class PeerMeters {
    /** The arriving relay's bytes: {@code to_peer} what the public side sent, {@code from_peer} the answers. */
    static final String BYTES = "homeport.peer.traffic";

    private final MeterRegistry registry;
    private final AtomicInteger inbound = new AtomicInteger();
    private final AtomicInteger outbound = new AtomicInteger();
    private final LongAdder toPeer = new LongAdder();
    private final LongAdder fromPeer = new LongAdder();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final StreamTraffic forwardedTraffic = new StreamTraffic() {
        @Override
        public void fromSocket(int bytes) {
            toPeer.add(bytes);
        }

        @Override
        public void toSocket(int bytes) {
            fromPeer.add(bytes);
        }
    };

    PeerMeters(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("homeport.peer.links", inbound, AtomicInteger::get)
                .description("Peer links to other relays up now: inbound (the peer dialed) or outbound (this relay dialed)")
                .tag("direction", "inbound").register(registry);
        Gauge.builder("homeport.peer.links", outbound, AtomicInteger::get)
                .description("Peer links to other relays up now: inbound (the peer dialed) or outbound (this relay dialed)")
                .tag("direction", "outbound").register(registry);
        FunctionCounter.builder(BYTES, toPeer, LongAdder::sum)
                .description("Bytes of public connections forwarded over peer links: to_peer = public side to the owning relay")
                .baseUnit("bytes").tag("direction", "to_peer").register(registry);
        FunctionCounter.builder(BYTES, fromPeer, LongAdder::sum)
                .description("Bytes of public connections forwarded over peer links: to_peer = public side to the owning relay")
                .baseUnit("bytes").tag("direction", "from_peer").register(registry);
        for (String kind : new String[]{RelayMetrics.TCP, RelayMetrics.HTTP, RelayMetrics.TLS}) {
            forwardedCounter(kind);
            receivedCounter(kind);
        }
    }

    /** A peer link came up; {@code dialed}: this relay dialed it. Returns what to run when it goes down. */
    public Runnable linkUp(boolean dialed) {
        AtomicInteger links = dialed ? outbound : inbound;
        links.incrementAndGet();
        return links::decrementAndGet;
    }

    /** A public connection became a stream to a peer relay; returns what its bridge adds the bytes to. */
    public StreamTraffic streamForwarded(String kind) {
        forwardedCounter(kind).increment();
        return forwardedTraffic;
    }

    /** A peer relay's stream reached a client of this relay. */
    public void streamReceived(String kind) {
        receivedCounter(kind).increment();
    }

    /** A peer stream was not forwarded or not served: {@code not_served}, {@code invalid_target}, {@code link_unavailable}, {@code access}. */
    public void streamRefused(String reason) {
        counter("homeport.peer.streams.refused", "Peer streams turned away, by reason", "reason", reason).increment();
    }

    /** A peer link failed its handshake: {@code auth_failed}, {@code not_a_relay}, {@code handshake_timeout} ... */
    public void linkRefused(String reason) {
        counter("homeport.peer.links.refused", "Peer links that ended in their handshake, by reason", "reason", reason).increment();
    }

    private Counter forwardedCounter(String kind) {
        return counter("homeport.peer.streams.forwarded", "Public connections forwarded to the relay that holds their client, by kind",
                "kind", kind);
    }

    private Counter receivedCounter(String kind) {
        return counter("homeport.peer.streams.received", "Streams from peer relays passed to a client of this relay, by kind",
                "kind", kind);
    }

    private Counter counter(String name, String description, String tag, String value) {
        return counters.computeIfAbsent(name + "|" + value, k -> Counter.builder(name).description(description)
                .tag(tag, value).register(registry));
    }
}
