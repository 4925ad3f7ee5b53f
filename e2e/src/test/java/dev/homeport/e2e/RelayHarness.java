package dev.homeport.e2e;

import dev.homeport.client.Backoff;
import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.mux.MuxSession;
import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServer;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A relay and its clients in this JVM, on loopback, over one {@link Transport}. The relay listens
 * on a fixed control port and public port range, so that it can be stopped and started again
 * where its clients expect it. Everything it started, sockets included, ends with {@link #close()}.
 */
final class RelayHarness implements AutoCloseable {
    static final String TOKEN = "e2e-shared-token";
    static final Duration BIND_TIMEOUT = Duration.ofSeconds(10);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    private static final int PUBLIC_PORTS = 4;
    private static final int PUBLIC_CLIENTS_FROM_LOOPBACK = 10_000;

    private final Transport transport;
    private final RelayServerConfig relayConfig;
    private final UnaryOperator<RelayClientConfig> clientSettings;
    private final List<RelayClient> clients = new CopyOnWriteArrayList<>();
    private final Map<RelayClient, ClientLog> logs = new ConcurrentHashMap<>();
    /** Public sockets not closed yet; closed ones are dropped as new ones come, so a soak does not pile them up. */
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile RelayServer relay;
    private volatile int publicPort;
    /** Between the clients and the relay when the scenario asked for one, else {@code null}. */
    private volatile FaultProxy proxy;

    private RelayHarness(Transport transport, RelayServerConfig relayConfig, UnaryOperator<RelayClientConfig> clientSettings) {
        this.transport = transport;
        this.relayConfig = relayConfig;
        this.clientSettings = clientSettings;
    }

    static Builder over(Transport transport) {
        return new Builder(transport);
    }

    /** Settings a scenario may change; the defaults make shutdowns and reconnects quick. */
    static final class Builder {
        private final Transport transport;
        private UnaryOperator<RelayServerConfig> relay = UnaryOperator.identity();
        private UnaryOperator<RelayClientConfig> client = UnaryOperator.identity();
        private boolean faultProxy;

        private Builder(Transport transport) {
            this.transport = transport;
        }

        Builder relay(UnaryOperator<RelayServerConfig> settings) {
            this.relay = settings;
            return this;
        }

        Builder client(UnaryOperator<RelayClientConfig> settings) {
            this.client = settings;
            return this;
        }

        /** Clients reach the relay through a {@link FaultProxy}, see {@link #proxy()}. */
        Builder throughFaultProxy() {
            this.faultProxy = true;
            return this;
        }

        /** Starts the relay only. */
        RelayHarness startRelay() throws InterruptedException {
            int base = FreePorts.block(2 + PUBLIC_PORTS); // control, public ports, a spare for the transport
            RelayServerConfig config = RelayServerConfig.of(
                            new InetSocketAddress(InetAddress.getLoopbackAddress(), base), "127.0.0.1",
                            new PortRange(base + 1, base + PUBLIC_PORTS), new SingleToken(TOKEN))
                    .withShutdownGrace(Duration.ofSeconds(1))
                    // Every public client here comes from 127.0.0.1; the cap has its own tests (HostilePublicTrafficTest).
                    .withMaxConnectionsPerAddress(PUBLIC_CLIENTS_FROM_LOOPBACK);
            RelayHarness h = new RelayHarness(transport, transport.relay(relay.apply(config), base + 1 + PUBLIC_PORTS), client);
            h.startRelay();
            if (faultProxy) {
                try {
                    h.proxy = FaultProxy.to(transport.relayPort(h.relayConfig));
                } catch (IOException e) {
                    h.close();
                    throw new UncheckedIOException(e);
                }
            }
            return h;
        }

        /** Starts the relay and one client exposing 127.0.0.1:{@code localPort}, and waits until the tunnel is live. */
        RelayHarness start(int localPort) throws Exception {
            RelayHarness h = startRelay();
            try {
                h.publicPort = h.expose(localPort);
            } catch (Exception | Error e) {
                h.close();
                throw e;
            }
            return h;
        }
    }

    // ---- the relay ----

    RelayServer relay() {
        return relay;
    }

    int controlPort() {
        return relayConfig.control().getPort();
    }

    /** The fault proxy clients connect through; fails if the scenario did not ask for one. */
    FaultProxy proxy() {
        if (proxy == null) {
            throw new IllegalStateException("this harness has no fault proxy: use Builder.throughFaultProxy()");
        }
        return proxy;
    }

    /** Starts the relay on its control port and port range, e.g. after {@link #stopRelay()}. */
    void startRelay() throws InterruptedException {
        relay = RelayServer.start(relayConfig);
    }

    /** Graceful stop, as on SIGTERM: {@link RelayServer#close()}. */
    void stopRelay() {
        relay.close();
    }

    /** The relay's only session, failing if there is not exactly one. */
    MuxSession relaySession() {
        List<MuxSession> sessions = relay.sessions();
        if (sessions.size() != 1) {
            throw new AssertionError("expected one session on the relay, found " + sessions.size());
        }
        return sessions.get(0);
    }

    // ---- clients ----

    /** Starts a client with the relay's token and one tunnel to 127.0.0.1:{@code localPort}; returns the public port once bound. */
    int expose(int localPort) throws Exception {
        RelayClient c = startClient(TOKEN, localPort);
        String address = c.bound().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(tunnelName(localPort));
        return URI.create(address).getPort();
    }

    /** Starts a client in the background; it is closed with the harness. */
    RelayClient startClient(String token, int localPort) {
        return startClient(token, localPort, 0);
    }

    /** Starts a client whose tunnel asks for public port {@code remotePort} (0: any), as after a client restart. */
    RelayClient startClient(String token, int localPort, int remotePort) {
        int relayPort = proxy != null ? proxy.port() : transport.relayPort(relayConfig);
        RelayClientConfig config = RelayClientConfig.of(transport.relayHost(), relayPort, token,
                        List.of(new TunnelSpec(tunnelName(localPort), "127.0.0.1", localPort, remotePort)))
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)))
                .withShutdownGrace(Duration.ofSeconds(1));
        ClientLog events = new ClientLog();
        RelayClient c = RelayClient.start(transport.client(clientSettings.apply(config)), events);
        clients.add(c);
        logs.put(c, events);
        return c;
    }

    /** What {@code client} reported so far. */
    ClientLog log(RelayClient client) {
        return logs.get(client);
    }

    /** Every client started so far, in order. */
    List<RelayClient> clients() {
        return List.copyOf(clients);
    }

    /** The client {@link Builder#start} started. */
    RelayClient client() {
        return clients.get(0);
    }

    private static String tunnelName(int localPort) {
        return "e2e-" + localPort;
    }

    // ---- public side ----

    /** The public port of the tunnel {@link Builder#start} opened. */
    int publicPort() {
        return publicPort;
    }

    /** A public connection to the tunnel, closed with the harness. */
    Socket connect() throws IOException {
        return connect(publicPort, 0);
    }

    /** A public connection to {@code port}, with a receive buffer of {@code receiveBuffer} bytes (0: the OS default). */
    Socket connect(int port, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        sockets.removeIf(Socket::isClosed);
        sockets.add(s);
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer); // before connect, so that the window scale fits it
        }
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        return s;
    }

    /**
     * Sends {@code text} through the public {@code port}, half-closes, and returns everything read
     * until the end of stream; through an echo service that is the text itself.
     */
    String request(int port, String text) throws IOException {
        try (Socket s = connect(port, 0)) {
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Waits until no stream is open on either side of any session: every stream ended and was forgotten. */
    void awaitAllStreamsClosed(Duration timeout) {
        Await.until(timeout, "every stream closed on both sides (relay " + openStreams(relay.sessions())
                + ", clients " + openStreams(clientSessions()) + ")", () ->
                openStreams(relay.sessions()) == 0 && openStreams(clientSessions()) == 0);
    }

    private List<MuxSession> clientSessions() {
        List<MuxSession> sessions = new ArrayList<>();
        for (RelayClient c : clients) {
            MuxSession s = c.session();
            if (s != null) {
                sessions.add(s);
            }
        }
        return sessions;
    }

    private static int openStreams(List<MuxSession> sessions) {
        return sessions.stream().mapToInt(MuxSession::openStreams).sum();
    }

    @Override
    public void close() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all that is wanted
            }
        }
        for (RelayClient c : clients) {
            c.close();
        }
        if (proxy != null) {
            try {
                proxy.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (relay != null) {
            relay.close();
        }
    }
}
