package dev.homeport.registry.etcd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The value of {@code members/NAME/RELAY/SESSION}: one live session that serves the name, on relay
 * {@code relayId}, for the client {@code instance} (Bind's; 0 when it names none).
 */
record MemberValue(String relayId, String session, long instance) {

    String encode() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("relay", relayId);
        f.put("session", session);
        f.put("instance", Long.toHexString(instance));
        return FieldText.write(f);
    }

    static MemberValue decode(String text) {
        Map<String, String> f = FieldText.read(text);
        return new MemberValue(FieldText.need(f, "relay", "member"), FieldText.need(f, "session", "member"),
                Long.parseUnsignedLong(FieldText.need(f, "instance", "member"), 16));
    }
}
