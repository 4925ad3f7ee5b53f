package dev.homeport.registry.etcd;

import dev.homeport.server.access.AccessPolicy;
import dev.homeport.server.cluster.AccessPolicyCodec;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value of {@code claims/NAME}: which token holds the name and what every relay needs to route
 * it (kind, access rules), and whether its clients share it as a pool. Who serves it is in the member keys.
 *
 * @param access the rules as {@link AccessPolicyCodec} text: compared as text, applied after decoding
 */
record ClaimValue(String principal, String kind, boolean pool, String access) {

    static ClaimValue of(String principal, String kind, boolean pool, AccessPolicy access) {
        return new ClaimValue(principal, kind, pool, AccessPolicyCodec.encode(access));
    }

    AccessPolicy accessPolicy() {
        return AccessPolicyCodec.decode(access);
    }

    String encode() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("principal", principal);
        f.put("kind", kind);
        f.put("pool", Boolean.toString(pool));
        f.put("access", access);
        return FieldText.write(f);
    }

    static ClaimValue decode(String text) {
        Map<String, String> f = FieldText.read(text);
        return new ClaimValue(FieldText.need(f, "principal", "claim"), FieldText.need(f, "kind", "claim"),
                Boolean.parseBoolean(FieldText.need(f, "pool", "claim")), FieldText.need(f, "access", "claim"));
    }
}
