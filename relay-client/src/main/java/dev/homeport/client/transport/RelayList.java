package dev.homeport.client.transport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The relays of {@code --server}, as the user lists them: {@code A:7700,B:7700}, spaces allowed, a
 * relay given twice kept once. They share one transport, so every entry must have the same scheme
 * (and, for WebSocket, the same path); the client moves among them when a session is lost.
 */
public record RelayList(List<RelayAddress> relays) {
    public RelayList {
        relays = List.copyOf(relays);
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("--server is required: HOST:PORT or wss://HOST/PATH");
        }
    }

    public static RelayList parse(String text) {
        if (text == null || text.isBlank()) {
            return new RelayList(List.of()); // the constructor's message names the flag
        }
        Map<String, RelayAddress> unique = new LinkedHashMap<>();
        for (String entry : text.split(",", -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException("--server has an empty entry in '" + text.trim()
                        + "': list relays as HOST:PORT,HOST:PORT");
            }
            RelayAddress relay = RelayAddress.parse(entry);
            unique.putIfAbsent(relay.host().toLowerCase(Locale.ROOT) + " " + relay.port(), relay);
        }
        List<RelayAddress> relays = new ArrayList<>(unique.values());
        RelayAddress first = relays.get(0);
        for (RelayAddress other : relays) {
            if (!other.scheme().equals(first.scheme())) {
                throw new IllegalArgumentException("--server mixes " + first.scheme() + ":// (" + first.hostPort() + ") and "
                        + other.scheme() + ":// (" + other.hostPort() + "): every relay in the list must use one transport");
            }
            if (!Objects.equals(other.path(), first.path())) {
                throw new IllegalArgumentException("--server mixes WebSocket paths " + first.path() + " and " + other.path()
                        + ": every relay in the list must use the same one");
            }
        }
        return new RelayList(relays);
    }

    /** The first relay listed: its scheme and path are every relay's. */
    public RelayAddress first() {
        return relays.get(0);
    }

    public List<RelayHost> hosts() {
        return relays.stream().map(RelayAddress::relayHost).toList();
    }
}
