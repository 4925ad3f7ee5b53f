package dev.homeport.deploy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A real tunnel through a running relay: a packaged {@code homeport tcp} client, pinned to the certificate
 * fingerprint the relay printed (TLS on loopback), to an {@link EchoService}, and a {@link RoundTrip} through
 * the public port.
 */
final class TunnelThrough {
    private TunnelThrough() {
    }

    /** The relay's control address, from its event=relay_started line. */
    static String control(Program relay) throws InterruptedException {
        return relay.await("event=relay_started control=/?([0-9.]+:[0-9]+)");
    }

    /** The fingerprint of the relay's certificate, as it printed it for clients' --fingerprint. */
    static String fingerprint(Program relay) throws InterruptedException {
        return relay.await("fingerprint (SHA256:\\S+)");
    }

    /**
     * Starts {@code client} (the command, e.g. the bundle's bin/homeport) as {@code tcp ECHO --server ... --remote-port
     * PORT} in {@code env}, waits for its tunnel, sends bytes round, and stops the client.
     */
    static void roundTrip(Program relay, String client, Map<String, String> env, String token, int publicPort, Path work)
            throws Exception {
        String control = control(relay);
        String fingerprint = fingerprint(relay);
        Map<String, String> clientEnv = new HashMap<>(env);
        Path state = work.resolve("client-state");
        clientEnv.put("XDG_CONFIG_HOME", state.toString());
        clientEnv.put("XDG_STATE_HOME", state.toString());
        clientEnv.put("XDG_DATA_HOME", state.toString());
        try (EchoService echo = new EchoService();
             Program tunnel = Program.start("homeport tcp", clientEnv, work.resolve("client.log"), List.of(client, "tcp",
                     String.valueOf(echo.port()), "--server", control, "--token", token, "--fingerprint", fingerprint,
                     "--remote-port", String.valueOf(publicPort)))) {
            tunnel.await("(tcp://\\S+:" + publicPort + ")");
            RoundTrip.through("127.0.0.1", publicPort);
            tunnel.stop();
        }
    }

    /** The relay's arguments for a loopback-only relay with one public port (no admin port, no 0.0.0.0). */
    static List<String> loopbackRelayArgs(int publicPort) {
        return new ArrayList<>(List.of("--control", "127.0.0.1:0", "--admin", "", "--bind-address", "127.0.0.1",
                "--ports", publicPort + "-" + publicPort, "--shutdown-grace", "1s"));
    }

    /** A loopback port free now, below the ephemeral range so no connection takes it as its source port meanwhile. */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(22_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // Try another.
            }
        }
        throw new IOException("no free loopback port between 22000 and 32000");
    }

    static String newToken() {
        return "packaged-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + Long.toHexString(ThreadLocalRandom.current().nextLong());
    }
}
