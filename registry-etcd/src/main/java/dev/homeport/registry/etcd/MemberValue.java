package dev.homeport.registry.etcd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value of {@code members/NAME/RELAY/SESSION}: one live session that serves the name, on relay
 * {@code relayId}, for the client {@code instance} (Bind's; 0 when it names none), which numbered the
 * session {@code connection} among its sessions (Bind's; 0 when not told, or written by a relay before the field).
 */
record MemberValue(String relayId, String session, long instance, long connection) {

    /** A member whose client does not number its sessions. */
    MemberValue(String relayId, String session, long instance) {
        this(relayId, session, instance, 0);
    }

    String encode() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("relay", relayId);
        f.put("session", session);
        f.put("instance", Long.toHexString(instance));
        f.put("connection", Long.toString(connection));
        return FieldText.write(f);
    }

    static MemberValue decode(String text) {
        Map<String, String> f = FieldText.read(text);
        // A relay of an earlier release writes no connection: 0, which orders nothing (ClaimRules).
        return new MemberValue(FieldText.need(f, "relay", "member"), FieldText.need(f, "session", "member"),
                Long.parseUnsignedLong(FieldText.need(f, "instance", "member"), 16),
                Long.parseLong(f.getOrDefault("connection", "0")));
    }
}
