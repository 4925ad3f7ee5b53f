package dev.homeport.client.cli;

import dev.homeport.client.Backoff;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.SettingValues;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.List;

/** Connection settings every client command shares; unset limits keep ProtocolSettings' defaults. */
public final class ClientOptions {
    @Option(names = "--initial-window", paramLabel = "SIZE", description = "Receive window of a new stream. Default: 512KiB.")
    String initialWindow;

    @Option(names = "--max-window", paramLabel = "SIZE", description = "Ceiling of a stream's auto-tuned window. Default: 16MiB.")
    String maxWindow;

    @Option(names = "--ping-interval", paramLabel = "DURATION", description = "Keep-alive PING interval. Default: 10s.")
    String pingInterval;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION",
            description = "A relay silent this long is dead and the client reconnects. Default: 30s.")
    String keepAliveTimeout;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "Limit for one TCP connect, to the relay or the local service. Default: ${DEFAULT-VALUE}.")
    String connectTimeout;

    @Option(names = "--max-backoff", paramLabel = "DURATION", defaultValue = "30s",
            description = "Longest wait between reconnect attempts (they start at 100ms). Default: ${DEFAULT-VALUE}.")
    String maxBackoff;

    public RelayClientConfig toConfig(String server, String token, List<TunnelSpec> tunnels) {
        ProtocolSettings d = ProtocolSettings.defaults();
        ProtocolSettings settings = d
                .withWindows(initialWindow == null ? d.initialStreamWindow() : SettingValues.intBytes(initialWindow),
                        maxWindow == null ? d.maxStreamWindow() : SettingValues.intBytes(maxWindow),
                        d.sessionWindowBudget())
                .withKeepAlive(pingInterval == null ? d.pingInterval() : SettingValues.duration(pingInterval),
                        keepAliveTimeout == null ? d.keepAliveTimeout() : SettingValues.duration(keepAliveTimeout));
        HostPort relay = HostPort.parse(server, "--server");
        return new RelayClientConfig(relay.host(), relay.port(), token, tunnels, settings,
                new Backoff(Duration.ofMillis(100), SettingValues.duration(maxBackoff)),
                SettingValues.duration(connectTimeout), Duration.ofSeconds(5));
    }
}
