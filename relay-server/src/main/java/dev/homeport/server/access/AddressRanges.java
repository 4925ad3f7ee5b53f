package dev.homeport.server.access;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * A list of address blocks (CIDR), such as a tunnel's allow list. Parsed from literals only, never
 * resolved through DNS; an IPv4-mapped IPv6 peer matches IPv4 blocks.
 */
public record AddressRanges(List<Block> blocks) {
    public static final AddressRanges NONE = new AddressRanges(List.of());

    /** One CIDR block: {@code prefixBits} leading bits of {@code network}. */
    public record Block(byte[] network, int prefixBits) {
        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefixBits / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefixBits % 8;
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return rest == 0 || (address[full] & mask) == (network[full] & mask);
        }

        @Override
        public String toString() {
            try {
                return InetAddress.getByAddress(network).getHostAddress() + "/" + prefixBits;
            } catch (UnknownHostException e) {
                return Arrays.toString(network) + "/" + prefixBits;
            }
        }
    }

    public AddressRanges {
        blocks = List.copyOf(blocks);
    }

    /**
     * Parses a comma-separated list such as {@code 10.0.0.0/8,2001:db8::/32,192.0.2.7}; empty: no
     * blocks. {@code what} names the setting in the error message.
     */
    public static AddressRanges parse(String list, String what) {
        if (list == null || list.isBlank()) {
            return NONE;
        }
        return new AddressRanges(Arrays.stream(list.split(",")).map(String::trim).filter(c -> !c.isEmpty())
                .map(c -> block(c, what)).toList());
    }

    private static Block block(String cidr, String what) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        byte[] network = NetUtil.createByteArrayFromIpAddressString(address); // literals only: never a DNS lookup
        if (network == null) {
            throw new IllegalArgumentException(what + " must be addresses or CIDR blocks such as 192.0.2.0/24, got '" + cidr + "'");
        }
        int bits = network.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException(what + ": prefix length of '" + cidr + "' must be 0-" + network.length * 8);
            }
        }
        return new Block(network, bits);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        byte[] v4 = mappedV4(a);
        for (Block b : blocks) {
            if (b.contains(a) || (v4 != null && b.contains(v4))) {
                return true;
            }
        }
        return false;
    }

    /** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d), or {@code null}. */
    private static byte[] mappedV4(byte[] a) {
        if (a.length != 16) {
            return null;
        }
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return null;
            }
        }
        return a[10] == (byte) 0xFF && a[11] == (byte) 0xFF ? Arrays.copyOfRange(a, 12, 16) : null;
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "any" : blocks.toString();
    }
}
