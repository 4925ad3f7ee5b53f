package dev.homeport.protocol.message;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * The two ends of a public connection as the relay's socket saw them: the public peer ({@code source})
 * and the relay's own address it reached ({@code destination}). OPEN carries them after its v1 fields
 * (PROTOCOL.md, "OPEN addresses"), so a client can tell the local service who is really connecting
 * (PROXY protocol v2). Both are of one family: an IPv4 end beside an IPv6 one is written IPv4-mapped.
 */
public record PeerEndpoints(InetSocketAddress source, InetSocketAddress destination) {
    /** No addresses: the OPEN came from a relay that does not send them, or the connection is not IP. */
    public static final PeerEndpoints UNKNOWN = new PeerEndpoints(null, null);

    static final int FAMILY_NONE = 0;
    static final int FAMILY_IPV4 = 4;
    static final int FAMILY_IPV6 = 6;

    public PeerEndpoints {
        if ((source == null) != (destination == null)) {
            throw new IllegalArgumentException("both ends or neither, got source=" + source + " destination=" + destination);
        }
        if (source != null && (source.isUnresolved() || destination.isUnresolved())) {
            throw new IllegalArgumentException("addresses must be IP addresses, got " + source + " and " + destination);
        }
    }

    /** The ends of a socket, or {@link #UNKNOWN} when either is not an IP socket address. */
    public static PeerEndpoints of(Object remote, Object local) {
        if (remote instanceof InetSocketAddress r && local instanceof InetSocketAddress l && !r.isUnresolved() && !l.isUnresolved()) {
            return new PeerEndpoints(r, l);
        }
        return UNKNOWN;
    }

    public boolean known() {
        return source != null;
    }

    /** Whether both ends are written as IPv4 (else as IPv6, an IPv4 end mapped). */
    public boolean ipv4() {
        return known() && source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
    }

    int encodedBytes() {
        return !known() ? 1 : ipv4() ? 1 + 2 * (4 + 2) : 1 + 2 * (16 + 2);
    }

    void write(ByteBuf out) {
        if (!known()) {
            out.writeByte(FAMILY_NONE);
            return;
        }
        boolean v4 = ipv4();
        out.writeByte(v4 ? FAMILY_IPV4 : FAMILY_IPV6);
        for (InetSocketAddress a : new InetSocketAddress[]{source, destination}) {
            out.writeBytes(v4 ? a.getAddress().getAddress() : ipv6Bytes(a.getAddress()));
            out.writeShort(a.getPort());
        }
    }

    /**
     * Reads the addresses after OPEN's v1 fields: nothing there (a relay that predates them) is
     * {@link #UNKNOWN}, as is a family this receiver does not know (a later version's; its bytes are
     * ignored, PROTOCOL.md "Extensibility"). A known family with too few bytes is malformed.
     */
    static PeerEndpoints read(ByteBuf in) {
        if (!in.isReadable()) {
            return UNKNOWN;
        }
        int family = in.readUnsignedByte();
        int length = switch (family) {
            case FAMILY_IPV4 -> 4;
            case FAMILY_IPV6 -> 16;
            default -> 0;
        };
        if (length == 0) {
            return UNKNOWN;
        }
        InetSocketAddress source = address(in, length, "source");
        InetSocketAddress destination = address(in, length, "destination");
        return new PeerEndpoints(source, destination);
    }

    private static InetSocketAddress address(ByteBuf in, int length, String which) {
        byte[] ip = Wire.readBytes(in, length, "OPEN", which + "_address");
        Wire.need(in, 2, "OPEN", which + "_port");
        int port = in.readUnsignedShort();
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (UnknownHostException e) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN " + which + " address of " + length + " bytes");
        }
    }

    private static byte[] ipv6Bytes(InetAddress a) {
        if (a instanceof Inet6Address) {
            return a.getAddress();
        }
        byte[] v4 = a.getAddress();
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(v4, 0, mapped, 12, 4);
        return mapped;
    }

    @Override
    public String toString() {
        return known() ? source + " -> " + destination : "unknown";
    }
}
