package dev.homeport.registry.etcd;

import dev.homeport.server.PortRange;
import dev.homeport.server.auth.TokenFile;
import dev.homeport.server.auth.TokenRights;

import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The value of {@code tokens/NAME}: the token's key hash (never the token), its rights and when it
 * was made, as {@link FieldText}: {@code key_hash= ports= hosts= reserve= reserve_host= created=}.
 */
final class TokenValue {
    private TokenValue() {
    }

    static String encode(TokenFile.Entry e) {
        Map<String, String> f = new LinkedHashMap<>();
        TokenRights r = e.rights();
        f.put("key_hash", HexFormat.of().formatHex(e.keyHash()));
        f.put("ports", r.ports() == null ? "*" : r.ports().toString());
        f.put("hosts", String.join(",", r.hosts()));
        f.put("reserve", Integer.toString(r.reservedPort()));
        f.put("reserve_host", r.reservedHost());
        f.put("created", e.created().toString());
        return FieldText.write(f);
    }

    /** @throws IllegalArgumentException when a field is missing or malformed */
    static TokenFile.Entry decode(String name, String text) {
        Map<String, String> f = FieldText.read(text);
        String what = "token " + name;
        byte[] hash = HexFormat.of().parseHex(FieldText.need(f, "key_hash", what));
        if (hash.length != 32) {
            throw new IllegalArgumentException(what + ": key_hash must be 64 hex digits");
        }
        String ports = FieldText.need(f, "ports", what);
        String hosts = f.getOrDefault("hosts", "");
        TokenRights rights = new TokenRights(ports.equals("*") ? null : PortRange.parse(ports),
                hosts.isEmpty() ? List.of() : List.of(hosts.split(",")),
                Integer.parseInt(f.getOrDefault("reserve", "0")), f.getOrDefault("reserve_host", ""));
        return new TokenFile.Entry(name, hash, rights, Instant.parse(FieldText.need(f, "created", what)));
    }
}
