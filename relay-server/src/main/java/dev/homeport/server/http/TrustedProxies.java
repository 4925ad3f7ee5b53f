package dev.homeport.server.http;

import dev.homeport.server.access.AddressRanges;

import java.net.InetAddress;
import java.util.List;

/**
 * Address ranges (CIDR) of proxies in front of the relay whose {@code X-Forwarded-*} and
 * {@code Forwarded} headers are believed and extended; from anyone else they are replaced.
 * Parsed as a tunnel's allow list is ({@link AddressRanges}): IP literals only, never a DNS lookup.
 */
public record TrustedProxies(AddressRanges ranges) {
    public static final TrustedProxies NONE = new TrustedProxies(AddressRanges.NONE);

    /** Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address; the message names the bad entry. */
    public static TrustedProxies parse(List<String> cidrs) {
        if (cidrs == null || cidrs.isEmpty()) {
            return NONE;
        }
        return new TrustedProxies(AddressRanges.parse(String.join(",", cidrs), "--trusted-proxy"));
    }

    public boolean contains(InetAddress address) {
        return ranges.contains(address);
    }

    @Override
    public String toString() {
        return ranges.blocks().isEmpty() ? "none" : ranges.blocks().size() + " range(s)";
    }
}
