package dev.homeport.app;

import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code homeport demo [LOCAL_PORT]}: Homeport's whole job on one machine. A relay and a client run
 * in this process, on loopback, exactly as they would on a VPS and at home.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts a relay on this machine plus a client, exposes LOCAL_PORT through them, and prints the "
                + "public address. Nothing leaves this machine; no VPS needed.",
        footer = {"", "Examples:", "  homeport demo 8888        # then open the printed address"})
public final class DemoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOCAL_PORT", defaultValue = "8888",
            description = "The local port to expose. Default: ${DEFAULT-VALUE}.")
    int localPort;

    @Option(names = "--local-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
            description = "Host of the local service. Default: ${DEFAULT-VALUE}.")
    String localHost;

    @Option(names = "--ports", paramLabel = "LO-HI", defaultValue = "20000-20999",
            description = "Public ports of the demo relay (on 127.0.0.1). Default: ${DEFAULT-VALUE}.")
    String ports;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        TunnelSpec tunnel = new TunnelSpec("demo", localHost, localPort, 0);
        RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                PortRange.parse(ports), new SingleToken(token)));
        RelayClient client = RelayClient.start(RelayClientConfig.of("127.0.0.1", relay.controlAddress().getPort(), token,
                List.of(tunnel)), new ClientEvents() { });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            client.close();
            relay.close();
            stopped.countDown();
        }, "homeport-demo-shutdown"));
        String address;
        try {
            address = client.bound().join().get("demo");
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("homeport demo: " + client.failure().getNow(e.getMessage()));
            return 1;
        }
        out.println("Homeport demo: a relay and a client in this process, on loopback.");
        out.println("  relay   127.0.0.1:" + relay.controlAddress().getPort() + " (control), public ports " + ports);
        out.println("  tunnel  " + address + "  ->  " + tunnel.localTarget());
        if (!listening(localHost, localPort)) {
            out.println("  note    nothing listens on " + tunnel.localTarget()
                    + " yet: connections are refused until it does (e.g. start 'jupyter lab --port " + localPort + "').");
        }
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stopped.await();
        return 0;
    }

    private static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
