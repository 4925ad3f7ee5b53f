package dev.homeport.server.peer;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.metrics.PeerMeters;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;

/**
 * This relay's link to one peer relay: dialed on first need, dialed again on the next need after
 * it is lost or the peer said GO_AWAY. After a failed dial, needs are refused for the redial delay.
 * At most {@code maxPendingOpens} callers wait for a dial under way; more are refused at once.
 */
final class OutboundPeerLink {
    private static final Logger log = LoggerFactory.getLogger(OutboundPeerLink.class);

    private final String relayId;
    private final InetSocketAddress address;
    private final PeerDialer dialer;
    private final PeerSettings settings;
    private final PeerMeters meters;
    /** The link now: dialing, up, or failed at {@link #failedAtNanos}; {@code null} before the first need. */
    private Future<MuxSession> current;
    private boolean goneAway;
    private int waiting;
    private long failedAtNanos;
    private boolean closed;

    OutboundPeerLink(String relayId, InetSocketAddress address, PeerDialer dialer, PeerSettings settings, PeerMeters meters) {
        this.relayId = relayId;
        this.address = address;
        this.dialer = dialer;
        this.settings = settings;
        this.meters = meters;
    }

    InetSocketAddress address() {
        return address;
    }

    /** The link's session, once it is up; fails with the reason when it cannot be had now. */
    synchronized Future<MuxSession> session() {
        if (closed) {
            return failed("relay is shutting down");
        }
        if (current != null && !current.isDone()) {
            if (waiting >= settings.maxPendingOpens()) {
                return failed(waiting + " connections already wait for the link to " + relayId + " (maxPendingOpens)");
            }
            waiting++;
            return current;
        }
        if (current != null && current.isSuccess() && current.getNow().channel().isActive() && !goneAway) {
            return current;
        }
        if (current != null && !current.isSuccess()
                && System.nanoTime() - failedAtNanos < settings.redialDelay().toNanos()) {
            return current;
        }
        return dial();
    }

    private Future<MuxSession> dial() {
        goneAway = false;
        waiting = 1;
        Future<MuxSession> dialing = dialer.dial(address, this::goneAway);
        current = dialing;
        dialing.addListener(f -> linkDone(dialing));
        return dialing;
    }

    private void linkDone(Future<MuxSession> dialing) {
        synchronized (this) {
            waiting = 0;
            if (!dialing.isSuccess()) {
                failedAtNanos = System.nanoTime();
            }
        }
        if (!dialing.isSuccess()) {
            log.warn("event=peer_link_failed peer={} address={} reason=\"{}\"", relayId, address, dialing.cause().getMessage());
            return;
        }
        MuxSession session = dialing.getNow();
        Runnable down = meters.linkUp(true);
        log.info("event=peer_connected direction=outbound principal={} session={} address={}", PeerIdentity.principal(relayId),
                session.id(), address);
        session.whenClosed().addListener(f -> {
            down.run();
            log.info("event=peer_disconnected direction=outbound principal={} session={} reason=\"{}\"",
                    PeerIdentity.principal(relayId), session.id(), session.closeReason());
        });
        if (isClosed()) {
            session.close(ErrorCode.SHUTDOWN, "relay is shutting down");
        }
    }

    private synchronized void goneAway() {
        goneAway = true;
    }

    private synchronized boolean isClosed() {
        return closed;
    }

    /** Ends the link: gracefully ({@code GO_AWAY}, its streams go on) or, with {@code now}, at once. */
    void close(boolean now) {
        Future<MuxSession> link;
        synchronized (this) {
            closed = true;
            link = current;
        }
        if (link != null && link.isSuccess()) {
            if (now) {
                link.getNow().close(ErrorCode.SHUTDOWN, "relay is shutting down");
            } else {
                link.getNow().goAway(ErrorCode.SHUTDOWN, "relay is shutting down");
            }
        }
    }

    private static Future<MuxSession> failed(String reason) {
        return ImmediateEventExecutor.INSTANCE.newFailedFuture(new PeerLinkException(reason));
    }
}
