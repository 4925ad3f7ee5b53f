package dev.homeport.server.metrics;

import dev.homeport.protocol.mux.StreamTraffic;
import dev.homeport.server.tunnel.Tunnel;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The byte counters of one tunnel, shared by all its streams: {@code in} is what the public side
 * sent toward the client, {@code out} what the client sent back to the public side. A bridge adds
 * once per socket read or write (a {@link LongAdder}, uncontended across event loops); the
 * registry reads the sums only when scraped. The meters live exactly as long as the tunnel.
 */
final class TunnelMeters implements StreamTraffic {
    static final String BYTES = "homeport.tunnel.traffic";

    private final LongAdder in = new LongAdder();
    private final LongAdder out = new LongAdder();
    private final List<FunctionCounter> meters;

    TunnelMeters(MeterRegistry registry, Tunnel tunnel) {
        Tags tags = Tags.of("tunnel", key(tunnel), "name", tunnel.name().isEmpty() ? "-" : tunnel.name(),
                "kind", RelayMetrics.kind(tunnel));
        this.meters = List.of(counter(registry, tags.and("direction", "in"), in),
                counter(registry, tags.and("direction", "out"), out));
    }

    /** A port for a TCP tunnel, the host name for an HTTP one: unique among live tunnels, so tags never collide. */
    static String key(Tunnel tunnel) {
        return tunnel.hostname().isEmpty() ? Integer.toString(tunnel.port()) : tunnel.hostname();
    }

    private static FunctionCounter counter(MeterRegistry registry, Tags tags, LongAdder bytes) {
        return FunctionCounter.builder(BYTES, bytes, LongAdder::sum)
                .description("Bytes a tunnel carried: in = public side to client, out = client to public side")
                .baseUnit("bytes").tags(tags).register(registry);
    }

    @Override
    public void fromSocket(int bytes) {
        in.add(bytes);
    }

    @Override
    public void toSocket(int bytes) {
        out.add(bytes);
    }

    void remove(MeterRegistry registry) {
        meters.forEach(registry::remove);
    }
}
