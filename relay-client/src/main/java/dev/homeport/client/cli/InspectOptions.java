package dev.homeport.client.cli;

import dev.homeport.client.TunnelSpec;
import dev.homeport.client.inspect.InspectSettings;
import dev.homeport.client.inspect.Inspector;
import dev.homeport.protocol.SettingValues;
import io.netty.util.NetUtil;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/** The request inspector's options, on the commands that serve HTTP tunnels. */
public final class InspectOptions {
    @Option(names = "--inspect", paramLabel = "HOST:PORT", defaultValue = InspectSettings.DEFAULT_ADDRESS,
            description = "Where the request inspector's page listens (the next free port if taken). It lists the "
                    + "requests through the tunnel, live, and replays them. Default: ${DEFAULT-VALUE}, loopback only.")
    String address;

    @Option(names = "--no-inspect", description = "Run without the request inspector.")
    boolean off;

    @Option(names = "--inspect-capacity", paramLabel = "N", defaultValue = "" + InspectSettings.DEFAULT_CAPACITY,
            description = "Requests the inspector keeps; older ones are forgotten. Default: ${DEFAULT-VALUE}.")
    int capacity;

    @Option(names = "--inspect-body-limit", paramLabel = "SIZE", defaultValue = "4KiB",
            description = "Bytes of each request and response body the inspector keeps. Default: ${DEFAULT-VALUE}.")
    String bodyLimit;

    @Option(names = "--inspect-show-secrets",
            description = "Show Authorization headers, cookies and tokens in URLs in the inspector (masked by default).")
    boolean showSecrets;

    public InspectSettings settings() {
        int limit = SettingValues.intBytes(bodyLimit, "--inspect-body-limit");
        return new InspectSettings(off ? null : parse(address), capacity, limit, showSecrets);
    }

    /** The running inspector, or {@code null} with --no-inspect. */
    Inspector start(List<TunnelSpec> tunnels, Duration connectTimeout) throws InterruptedException {
        return start(tunnels, connectTimeout, t -> t.kind() == TunnelSpec.Kind.HTTP);
    }

    /** As above, reading the local connections of the tunnels {@code carriesHttp} accepts as HTTP. */
    Inspector start(List<TunnelSpec> tunnels, Duration connectTimeout, Predicate<TunnelSpec> carriesHttp)
            throws InterruptedException {
        InspectSettings s = settings();
        return s.enabled() ? Inspector.start(s, tunnels, connectTimeout, carriesHttp) : null;
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("--inspect must be HOST:PORT (an address, e.g. 127.0.0.1:4040), got " + hostPort);
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.equals("localhost")) {
            host = "127.0.0.1";
        }
        byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (ip == null || port < 0 || port > 65535) {
            throw new IllegalArgumentException("--inspect must be HOST:PORT with an IP address and a port 0-65535, got " + hostPort);
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("--inspect: " + e.getMessage(), e);
        }
    }
}
