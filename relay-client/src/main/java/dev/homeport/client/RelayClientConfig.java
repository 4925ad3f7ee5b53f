package dev.homeport.client;

import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayHost;
import dev.homeport.protocol.ProtocolSettings;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Everything a client needs to start, validated once.
 *
 * @param relays           the relays to use, any one at a time (a cluster, or independent relays), each by
 *                         host name or address and control port
 * @param token            the shared secret; proven by HMAC, never sent
 * @param tunnels          what to expose
 * @param protocol         session limits
 * @param backoff          reconnect delays
 * @param connectTimeout   limit for one TCP connect, to the relay or a local service
 * @param shutdownGrace    on close, how long open streams may finish
 * @param transport        how the connection reaches the relay: TLS, plain TCP, WebSocket
 */
public record RelayClientConfig(
        List<RelayHost> relays,
        String token,
        List<TunnelSpec> tunnels,
        ProtocolSettings protocol,
        Backoff backoff,
        Duration connectTimeout,
        Duration shutdownGrace,
        ClientTransport transport) {

    public RelayClientConfig {
        relays = List.copyOf(relays);
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("at least one relay is required (--server or HOMEPORT_SERVER)");
        }
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("a token is required (--token or HOMEPORT_TOKEN)");
        }
        tunnels = List.copyOf(tunnels);
        if (tunnels.isEmpty()) {
            throw new IllegalArgumentException("at least one tunnel is required");
        }
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(backoff, "backoff");
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("shutdownGrace must be zero or positive, got " + shutdownGrace);
        }
        Objects.requireNonNull(transport, "transport");
    }

    public static RelayClientConfig of(String serverHost, int serverPort, String token, List<TunnelSpec> tunnels) {
        return new RelayClientConfig(List.of(new RelayHost(serverHost, serverPort)), token, tunnels, ProtocolSettings.defaults(),
                Backoff.DEFAULT, Duration.ofSeconds(10), Duration.ofSeconds(5), ClientTransport.plain());
    }

    /** The host of the first relay listed, the only one of a client with one relay. */
    public String serverHost() {
        return relays.get(0).host();
    }

    /** The control port of the first relay listed. */
    public int serverPort() {
        return relays.get(0).port();
    }

    /**
     * The relays as one key of the remembered ports and host names: {@code HOST:PORT} for one relay, the
     * sorted list for several, so that listing them in another order keeps what was remembered.
     */
    public String relayKey() {
        return relays.stream().map(RelayHost::hostPort).sorted().collect(Collectors.joining(","));
    }

    public RelayClientConfig withRelays(List<RelayHost> r) {
        return new RelayClientConfig(r, token, tunnels, protocol, backoff, connectTimeout, shutdownGrace, transport);
    }

    public RelayClientConfig withProtocol(ProtocolSettings settings) {
        return new RelayClientConfig(relays, token, tunnels, settings, backoff, connectTimeout, shutdownGrace, transport);
    }

    public RelayClientConfig withBackoff(Backoff b) {
        return new RelayClientConfig(relays, token, tunnels, protocol, b, connectTimeout, shutdownGrace, transport);
    }

    public RelayClientConfig withTransport(ClientTransport t) {
        return new RelayClientConfig(relays, token, tunnels, protocol, backoff, connectTimeout, shutdownGrace, t);
    }

    public RelayClientConfig withShutdownGrace(Duration grace) {
        return new RelayClientConfig(relays, token, tunnels, protocol, backoff, connectTimeout, grace, transport);
    }
}
