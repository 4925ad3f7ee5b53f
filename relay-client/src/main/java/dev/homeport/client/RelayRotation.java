package dev.homeport.client;

import dev.homeport.client.transport.RelayHost;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The order in which the client tries its relays. It starts at a random one, so that many clients
 * spread over a cluster, and moves to the next whenever the one in use fails or loses its session. A
 * round is over when every relay failed since the last session: only then does the client wait out
 * its backoff. Names are resolved again at the start of each round, and a name with several addresses
 * counts as one relay per address. Used on the client's event loop only.
 */
final class RelayRotation {
    private static final Logger log = LoggerFactory.getLogger(RelayRotation.class);

    private final List<RelayHost> relays;
    /** {@code null} when a proxy resolves the names: this side then dials them unresolved. */
    private final RelayResolver resolver;
    private final Random random;
    private List<RelayCandidate> candidates = List.of();
    private boolean resolveAgain = true;
    private int index = -1;
    private int failedInRound;

    RelayRotation(List<RelayHost> relays, RelayResolver resolver, Random random) {
        this.relays = List.copyOf(relays);
        this.resolver = resolver;
        this.random = random;
    }

    /** The relay to connect to now; at the start of a round, the names are resolved first. */
    RelayCandidate current() {
        if (resolveAgain) {
            candidates = expand();
            index = index < 0 ? random.nextInt(candidates.size()) : index % candidates.size();
            resolveAgain = false;
        }
        return candidates.get(index);
    }

    /** 1-based place of {@link #current()} in the list, for "2 of 3". */
    int position() {
        return index + 1;
    }

    /** How many relays the last resolution gave. */
    int size() {
        return candidates.size();
    }

    /** A session started on the current relay: the next failure begins a new round. */
    void connected() {
        failedInRound = 0;
    }

    /**
     * The current relay failed, or its session ended: moves on to the next one. True when that ends a
     * round, every relay having failed since the last session; the next {@link #current()} resolves again.
     */
    boolean failed() {
        int size = candidates.size();
        index = (index + 1) % size;
        if (++failedInRound < size) {
            return false;
        }
        failedInRound = 0;
        resolveAgain = true;
        return true;
    }

    private List<RelayCandidate> expand() {
        Map<String, RelayCandidate> unique = new LinkedHashMap<>(); // by address: two names of one relay are one relay
        for (RelayHost relay : relays) {
            for (RelayCandidate c : addressesOf(relay)) {
                unique.putIfAbsent(c.address().isUnresolved() ? c.relay().hostPort() : c.address().toString(), c);
            }
        }
        return new ArrayList<>(unique.values());
    }

    private List<RelayCandidate> addressesOf(RelayHost relay) {
        if (resolver == null) {
            return List.of(new RelayCandidate(relay, InetSocketAddress.createUnresolved(relay.host(), relay.port()), false));
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.addresses(relay.host());
        } catch (UnknownHostException e) {
            addresses = List.of();
        }
        if (addresses.isEmpty()) {
            // Left to the connect, whose failure says "unknown host" as for a single relay.
            log.debug("event=relay_unresolved relay={}", relay.hostPort());
            return List.of(new RelayCandidate(relay, InetSocketAddress.createUnresolved(relay.host(), relay.port()), false));
        }
        boolean several = addresses.size() > 1;
        return addresses.stream().map(a -> new RelayCandidate(relay, new InetSocketAddress(a, relay.port()), several)).toList();
    }
}
