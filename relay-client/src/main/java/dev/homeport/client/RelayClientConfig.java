package dev.homeport.client;

import dev.homeport.client.transport.ClientTransport;
import dev.homeport.protocol.ProtocolSettings;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a client needs to start, validated once.
 *
 * @param serverHost       relay host name or address
 * @param serverPort       relay control port
 * @param token            the shared secret; proven by HMAC, never sent
 * @param tunnels          what to expose
 * @param protocol         session limits
 * @param backoff          reconnect delays
 * @param connectTimeout   limit for one TCP connect, to the relay or a local service
 * @param shutdownGrace    on close, how long open streams may finish
 * @param transport        how the connection reaches the relay: TLS, plain TCP, WebSocket
 */
public record RelayClientConfig(
        String serverHost,
        int serverPort,
        String token,
        List<TunnelSpec> tunnels,
        ProtocolSettings protocol,
        Backoff backoff,
        Duration connectTimeout,
        Duration shutdownGrace,
        ClientTransport transport) {

    public RelayClientConfig {
        Objects.requireNonNull(serverHost, "serverHost");
        if (serverPort < 1 || serverPort > 65535) {
            throw new IllegalArgumentException("server port must be 1-65535, got " + serverPort);
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
        return new RelayClientConfig(serverHost, serverPort, token, tunnels, ProtocolSettings.defaults(),
                Backoff.DEFAULT, Duration.ofSeconds(10), Duration.ofSeconds(5), ClientTransport.plain());
    }

    public RelayClientConfig withProtocol(ProtocolSettings settings) {
        return new RelayClientConfig(serverHost, serverPort, token, tunnels, settings, backoff, connectTimeout, shutdownGrace, transport);
    }

    public RelayClientConfig withBackoff(Backoff b) {
        return new RelayClientConfig(serverHost, serverPort, token, tunnels, protocol, b, connectTimeout, shutdownGrace, transport);
    }

    public RelayClientConfig withTransport(ClientTransport t) {
        return new RelayClientConfig(serverHost, serverPort, token, tunnels, protocol, backoff, connectTimeout, shutdownGrace, t);
    }

    public RelayClientConfig withShutdownGrace(Duration grace) {
        return new RelayClientConfig(serverHost, serverPort, token, tunnels, protocol, backoff, connectTimeout, grace, transport);
    }
}
