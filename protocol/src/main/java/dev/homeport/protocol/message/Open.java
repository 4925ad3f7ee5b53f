package dev.homeport.protocol.message;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Server opens a stream for one public connection on a tunnel. {@code peerAddress} is for logs only;
 * {@code endpoints} are the connection's addresses, for a PROXY protocol header towards the local
 * service. Layout: PROTOCOL.md, "OPEN" and "OPEN addresses".
 */
public record Open(int tunnelId, String peerAddress, PeerEndpoints endpoints) implements ControlMessage {

    public Open {
        java.util.Objects.requireNonNull(peerAddress, "peerAddress");
        endpoints = endpoints == null ? PeerEndpoints.UNKNOWN : endpoints;
    }

    /** An OPEN without addresses. */
    public Open(int tunnelId, String peerAddress) {
        this(tunnelId, peerAddress, PeerEndpoints.UNKNOWN);
    }

    @Override
    public FrameType type() {
        return FrameType.OPEN;
    }

    @Override
    public Frame toFrame(ByteBufAllocator alloc, int streamId) {
        ByteBuf out = alloc.buffer(4 + Wire.stringBytes(peerAddress) + endpoints.encodedBytes());
        out.writeInt(tunnelId);
        Wire.writeString(out, peerAddress);
        endpoints.write(out);
        return new Frame(type(), 0, streamId, out);
    }

    /**
     * Reads the payload of an OPEN frame. The addresses are optional (an OPEN of a relay that predates
     * them ends after peer_address); bytes after the known fields are ignored (PROTOCOL.md, "Extensibility").
     */
    public static Open decode(ByteBuf in) {
        Wire.need(in, 4, "OPEN", "tunnelId");
        int tunnelId = in.readInt();
        String peerAddress = Wire.readString(in, "OPEN", "peerAddress");
        return new Open(tunnelId, peerAddress, PeerEndpoints.read(in));
    }
}
