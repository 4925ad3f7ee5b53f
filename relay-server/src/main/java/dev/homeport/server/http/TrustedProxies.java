package dev.homeport.server.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Address ranges (CIDR) of proxies in front of the relay whose {@code X-Forwarded-*} and
 * {@code Forwarded} headers are believed and extended; from anyone else they are replaced.
 */
public record TrustedProxies(List<Range> ranges) {
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    /** One CIDR block: {@code prefixBits} leading bits of {@code network}. */
    public record Range(byte[] network, int prefixBits) {
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
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }

    public TrustedProxies {
        ranges = List.copyOf(ranges);
    }

    /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address; the message names the bad entry. */
    public static TrustedProxies parse(List<String> cidrs) {
        if (cidrs == null || cidrs.isEmpty()) {
            return NONE;
        }
        return new TrustedProxies(cidrs.stream().map(String::trim).filter(c -> !c.isEmpty()).map(TrustedProxies::range).toList());
    }

    private static Range range(String cidr) {
        int slash = cidr.indexOf('/');
        String address = slash < 0 ? cidr : cidr.substring(0, slash);
        if (!address.matches("[0-9a-fA-F:.]+")) {
            throw new IllegalArgumentException("--trusted-proxy must be an address or CIDR block such as 10.0.0.0/8, got '" + cidr + "'");
        }
        byte[] network;
        try {
            network = InetAddress.getByName(address).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--trusted-proxy: '" + cidr + "' is not an IP address or CIDR block");
        }
        int bits = network.length * 8;
        if (slash >= 0) {
            try {
                bits = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > network.length * 8) {
                throw new IllegalArgumentException("--trusted-proxy: prefix length of '" + cidr + "' must be 0-"
                        + network.length * 8);
            }
        }
        return new Range(network, bits);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        for (Range r : ranges) {
            if (r.contains(a)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "none" : ranges.size() + " range(s)";
    }
}
