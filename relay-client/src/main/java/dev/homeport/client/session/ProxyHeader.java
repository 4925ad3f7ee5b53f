package dev.homeport.client.session;

import dev.homeport.protocol.message.PeerEndpoints;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

import java.net.Inet4Address;
import java.net.InetSocketAddress;

/**
 * The PROXY protocol v2 header a tunnel with {@code --proxy-protocol} sends its local service first,
 * built from the addresses the relay put in OPEN: the public peer as the source, the relay's public
 * address as the destination. Without addresses (a relay that predates them) the header says LOCAL,
 * which a consumer reads as "no address information": the service then sees the client's socket.
 */
final class ProxyHeader {
    private ProxyHeader() {
    }

    static HAProxyMessage of(PeerEndpoints endpoints) {
        if (!endpoints.known()) {
            return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN,
                    null, null, 0, 0);
        }
        InetSocketAddress source = endpoints.source();
        InetSocketAddress destination = endpoints.destination();
        boolean v4 = source.getAddress() instanceof Inet4Address && destination.getAddress() instanceof Inet4Address;
        return new HAProxyMessage(HAProxyProtocolVersion.V2, HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                literal(source, v4), literal(destination, v4), source.getPort(), destination.getPort());
    }

    /** The address as the header's family wants it: an IPv4 end in an IPv6 header is written IPv4-mapped. */
    private static String literal(InetSocketAddress a, boolean v4) {
        String ip = a.getAddress().getHostAddress();
        if (!v4 && a.getAddress() instanceof Inet4Address) {
            return "::ffff:" + ip;
        }
        int scope = ip.indexOf('%');
        return scope >= 0 ? ip.substring(0, scope) : ip;
    }
}
