package dev.homeport.registry.etcd;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * A relay's peer-link address as the value of its {@code relays/ID} key: {@code HOST:PORT}, with an
 * IPv6 literal in brackets. Read back without a DNS lookup (the watch thread must not block): a
 * literal becomes a resolved address, a host name stays unresolved for the peer link to resolve.
 */
final class PeerAddressText {
    private PeerAddressText() {
    }

    static String format(InetSocketAddress address) {
        String host = address.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    static InetSocketAddress parse(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("a relay's peer address must be HOST:PORT, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        byte[] literal = NetUtil.createByteArrayFromIpAddressString(host);
        if (literal == null) {
            return InetSocketAddress.createUnresolved(host, port);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(host, literal), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bad address literal '" + host + "'", e);
        }
    }
}
