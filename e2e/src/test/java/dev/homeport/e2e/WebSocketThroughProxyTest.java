package dev.homeport.e2e;

import dev.homeport.testsupport.programs.RequiredPrograms;
import dev.homeport.testsupport.programs.RequiresProgram;
import dev.homeport.client.Backoff;
import dev.homeport.client.ClientEvents;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.client.transport.ClientTls;
import dev.homeport.client.transport.ClientTransport;
import dev.homeport.client.transport.RelayTrust;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import dev.homeport.server.tls.RelayCertificate;
import dev.homeport.server.tls.ServerTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A client on a network that lets only HTTPS out through a proxy: it reaches the relay as
 * {@code wss://} through a real HTTP proxy (Debian's tinyproxy, which .ci/run installs) by CONNECT.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@RequiresProgram(value = "tinyproxy", debianPackage = "tinyproxy")
class WebSocketThroughProxyTest {
    private static final String TOKEN = "proxy-test-token";

    @TempDir
    Path dir;

    @Test
    void aWssClientReachesTheRelayThroughAnHttpProxyAndItsTunnelCarriesData() throws Exception {
        RelayCertificate cert = RelayCertificate.selfSigned(dir.resolve("relay"), List.of("localhost", "127.0.0.1"));
        int base = FreePorts.block(3);
        int proxyPort = FreePorts.one();
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), new SingleToken(TOKEN))
                     .withTls(ServerTls.context(cert)).withShutdownGrace(Duration.ZERO));
             TinyProxy proxy = TinyProxy.start(dir, proxyPort);
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()))) {
            ClientTransport wss = new ClientTransport(
                    ClientTls.context(new RelayTrust("127.0.0.1:" + base, cert.fingerprint(), null)),
                    "/_homeport", new InetSocketAddress("127.0.0.1", proxyPort));
            RelayClientConfig config = RelayClientConfig.of("127.0.0.1", base, TOKEN,
                            List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0)))
                    .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                    .withShutdownGrace(Duration.ZERO)
                    .withTransport(wss);
            try (RelayClient client = RelayClient.start(config, new ClientEvents() { })) {
                int publicPort = URI.create(client.bound().get(15, TimeUnit.SECONDS).get("t")).getPort();

                assertThat(SecurityTest.echoThrough(publicPort, "through the proxy")).isEqualTo("through the proxy");
                assertThat(proxy.log()).contains("CONNECT 127.0.0.1:" + base);
            }
        }
    }

    /**
     * tinyproxy sets no TCP_NODELAY on its sockets: of two small writes in a row it holds the second until the
     * first is acknowledged. Both ends of a session through it therefore send without Nagle's delay and
     * acknowledge at once (QuickAck), read here off the real channels of a live session.
     */
    @Test
    void bothEndsOfASessionThroughTheProxySendWithoutDelayAndAcknowledgeAtOnce() throws Exception {
        RelayCertificate cert = RelayCertificate.selfSigned(dir.resolve("relay"), List.of("localhost", "127.0.0.1"));
        int base = FreePorts.block(3);
        int proxyPort = FreePorts.one();
        try (RelayServer relay = RelayServer.start(RelayServerConfig.of(new InetSocketAddress("127.0.0.1", base), "127.0.0.1",
                        new PortRange(base + 1, base + 2), new SingleToken(TOKEN))
                     .withTls(ServerTls.context(cert)).withShutdownGrace(Duration.ZERO));
             TinyProxy proxy = TinyProxy.start(dir, proxyPort);
             LocalService echo = LocalService.start(c -> c.getInputStream().transferTo(c.getOutputStream()))) {
            ClientTransport wss = new ClientTransport(
                    ClientTls.context(new RelayTrust("127.0.0.1:" + base, cert.fingerprint(), null)),
                    "/_homeport", new InetSocketAddress("127.0.0.1", proxyPort));
            RelayClientConfig config = RelayClientConfig.of("127.0.0.1", base, TOKEN,
                            List.of(new TunnelSpec("t", "127.0.0.1", echo.port(), 0)))
                    .withShutdownGrace(Duration.ZERO)
                    .withTransport(wss);
            try (RelayClient client = RelayClient.start(config, new ClientEvents() { })) {
                int publicPort = URI.create(client.bound().get(15, TimeUnit.SECONDS).get("t")).getPort();
                assertThat(SecurityTest.echoThrough(publicPort, "through the proxy")).isEqualTo("through the proxy");

                io.netty.channel.Channel clientSide = client.session().channel();
                io.netty.channel.Channel relaySide = relay.sessions().get(0).channel();
                for (io.netty.channel.Channel ch : List.of(clientSide, relaySide)) {
                    assertThat(ch.config().getOption(io.netty.channel.ChannelOption.TCP_NODELAY)).as(ch.toString()).isTrue();
                    assertThat(ch.pipeline().get(dev.homeport.protocol.transport.QuickAck.class)).as(ch + " re-arms TCP_QUICKACK")
                            .isNotNull();
                }
            }
        }
    }

    /** tinyproxy in the foreground on a loopback port, with its own config and log; stopped by its PID. */
    static final class TinyProxy implements AutoCloseable {
        private final Process process;
        private final Path log;

        private TinyProxy(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        static TinyProxy start(Path dir, int port) throws Exception {
            Path binary = RequiredPrograms.require("tinyproxy", "tinyproxy");
            Path log = dir.resolve("tinyproxy.log");
            Path conf = dir.resolve("tinyproxy.conf");
            Files.writeString(conf, String.join("\n",
                    "Port " + port, "Listen 127.0.0.1", "Timeout 60", "Allow 127.0.0.1",
                    "LogFile \"" + log + "\"", "LogLevel Connect", "MaxClients 20", ""));
            Process p = new ProcessBuilder(binary.toString(), "-d", "-c", conf.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tinyproxy.out").toFile()).start();
            TinyProxy proxy = new TinyProxy(p, log);
            Await.until(Duration.ofSeconds(10), "tinyproxy listening on " + port, () -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (Exception e) {
                    if (!p.isAlive()) {
                        throw new AssertionError("tinyproxy exited: " + read(dir.resolve("tinyproxy.out")));
                    }
                    return false;
                }
            });
            return proxy;
        }

        String log() {
            return read(log);
        }

        private static String read(Path p) {
            try {
                return Files.exists(p) ? Files.readString(p) : "";
            } catch (Exception e) {
                return "";
            }
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
