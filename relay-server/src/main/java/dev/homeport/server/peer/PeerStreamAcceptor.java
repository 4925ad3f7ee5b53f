package dev.homeport.server.peer;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.protocol.mux.StreamAcceptor;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.Tunnel;
import dev.homeport.server.tunnel.TunnelRegistry;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The owning relay's side of a peer stream: finds the tunnel the stream names in this relay's own
 * registries and opens a stream on its client's session, as a public connection would, spliced to
 * the peer stream. A name no client serves here (any more) is refused at once (OPEN_REFUSED
 * LOCAL_UNREACHABLE), so the arriving relay closes its public connection.
 */
final class PeerStreamAcceptor implements StreamAcceptor {
    private static final Logger log = LoggerFactory.getLogger(PeerStreamAcceptor.class);

    private final String peerRelayId;
    private final EventLoop loop;
    private final TunnelRegistry ports;
    private final HostRegistry hosts;
    private final RelayMetrics metrics;

    /** @param loop the peer link's loop, where its streams are accepted and their splices live */
    PeerStreamAcceptor(String peerRelayId, EventLoop loop, TunnelRegistry ports, HostRegistry hosts, RelayMetrics metrics) {
        this.loop = loop;
        this.peerRelayId = peerRelayId;
        this.ports = ports;
        this.hosts = hosts;
        this.metrics = metrics;
    }

    @Override
    public void accept(MuxStream stream, Open open) {
        PeerTarget target;
        try {
            target = PeerTarget.of(open);
        } catch (IllegalArgumentException e) {
            refuse(stream, "invalid_target", e.getMessage());
            return;
        }
        Tunnel tunnel = find(target);
        MuxSession session = tunnel == null ? null : tunnel.nextSession();
        if (session == null) {
            refuse(stream, "not_served", "no client serves " + target + " on this relay");
            return;
        }
        metrics.peer().streamReceived(target.kindName());
        StreamSplice splice = new StreamSplice(stream, loop, metrics.streamOpened(tunnel));
        MuxStream client = session.newStream();
        client.open(tunnel.id(), open.endpoints().known() ? String.valueOf(open.endpoints().source()) : "peer " + peerRelayId,
                open.endpoints(), splice.clientEnd(client));
        stream.attach(splice.peerEnd());
        log.debug("event=peer_stream_open peer={} target={} {} stream={}", peerRelayId, target, tunnel, stream.id());
    }

    private Tunnel find(PeerTarget target) {
        if (target.kind() == Bind.KIND_TCP) {
            return ports.route(target.port());
        }
        Tunnel t = hosts.route(target.host());
        return t != null && t.passthrough() == (target.kind() == Bind.KIND_TLS) ? t : null;
    }

    private void refuse(MuxStream stream, String reason, String message) {
        metrics.peer().streamRefused(reason);
        log.debug("event=peer_stream_refused peer={} stream={} reason={} detail=\"{}\"", peerRelayId, stream.id(), reason, message);
        stream.refuse(ErrorCode.LOCAL_UNREACHABLE, message);
    }
}
