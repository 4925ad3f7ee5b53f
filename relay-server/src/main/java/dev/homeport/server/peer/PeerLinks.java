package dev.homeport.server.peer;

import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.cluster.RemoteRoute;
import dev.homeport.server.metrics.PeerMeters;
import io.netty.util.concurrent.Future;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pool of this relay's outbound peer links, one per peer relay, made on first need. A route
 * that names a new address for a relay (it restarted elsewhere) replaces that relay's link; the
 * old one drains.
 */
final class PeerLinks implements AutoCloseable {
    private final PeerDialer dialer;
    private final PeerSettings settings;
    private final PeerMeters meters;
    private final Map<String, OutboundPeerLink> links = new ConcurrentHashMap<>();

    PeerLinks(PeerDialer dialer, PeerSettings settings, PeerMeters meters) {
        this.dialer = dialer;
        this.settings = settings;
        this.meters = meters;
    }

    /** The session of the link to {@code route}'s relay, dialing it if needed. */
    Future<MuxSession> session(RemoteRoute route) {
        OutboundPeerLink link = links.compute(route.relayId(), (id, existing) -> {
            if (existing != null && existing.address().equals(route.peer())) {
                return existing;
            }
            if (existing != null) {
                existing.close(false);
            }
            return new OutboundPeerLink(id, route.peer(), dialer, settings, meters);
        });
        return link.session();
    }

    /** Ends every link at once: their forwarded streams end with them. */
    @Override
    public void close() {
        links.values().forEach(l -> l.close(true));
    }

    /** Asks every link to drain: no new streams, the open ones go on. */
    void drain() {
        links.values().forEach(l -> l.close(false));
    }
}
