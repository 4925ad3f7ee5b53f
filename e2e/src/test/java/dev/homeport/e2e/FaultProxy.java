package dev.homeport.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback between a client and the relay, where a test puts the faults of a real
 * network: latency, a bandwidth cap and tiny segments ({@link LinkShape}, per direction, applied to
 * open links at once), and on the links open now a reset, a black hole, or one side vanishing
 * without the other hearing. Plain blocking sockets, so that it shares nothing with the code under test.
 */
final class FaultProxy implements AutoCloseable {
    /** The two ends of a link: the side that connected to the proxy, and the side it dials. */
    enum Side { CLIENT, RELAY }

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final List<Link> links = new CopyOnWriteArrayList<>();
    /** Black-holed links: nothing passes, but their sockets stay open until {@link #close()}. */
    private final List<Link> silenced = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile LinkShape up = LinkShape.CLEAN;
    private volatile LinkShape down = LinkShape.CLEAN;
    private volatile boolean closed;

    private FaultProxy(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
        threads.execute(this::acceptLoop);
    }

    /** A proxy on a free loopback port that forwards to 127.0.0.1:{@code targetPort}. */
    static FaultProxy to(int targetPort) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        return new FaultProxy(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
    }

    /** A proxy on a free loopback port that forwards to {@code target} (a relay listening on another loopback address). */
    static FaultProxy to(InetSocketAddress target) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        return new FaultProxy(server, target);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Shapes client-to-relay ({@code upstream}) and relay-to-client ({@code downstream}) bytes, on open and new links. */
    void shape(LinkShape upstream, LinkShape downstream) {
        this.up = upstream;
        this.down = downstream;
    }

    /** Connections taken so far. */
    int accepted() {
        return accepted.get();
    }

    /** Links passing traffic now (black-holed ones are not counted). */
    int openLinks() {
        return links.size();
    }

    /** Resets both sockets of every open link (RST, via SO_LINGER 0); returns how many links there were. */
    int resetAll() {
        List<Link> now = List.copyOf(links);
        now.forEach(Link::reset);
        return now.size();
    }

    /** Every open link stops passing anything, either way, while both of its sockets stay open. */
    int blackHoleAll() {
        List<Link> now = List.copyOf(links);
        now.forEach(Link::blackHole);
        return now.size();
    }

    /**
     * On every open link, {@code gone}'s connection is reset while the other side's stays open and
     * hears nothing more: a half-open connection, as after a crash or a NAT that forgot the flow.
     */
    int vanishAll(Side gone) {
        List<Link> now = List.copyOf(links);
        now.forEach(l -> l.vanish(gone));
        return now.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            accepted.incrementAndGet();
            Socket relay = new Socket();
            try {
                client.setTcpNoDelay(true);
                relay.setTcpNoDelay(true);
                relay.connect(target, 5_000);
            } catch (IOException e) {
                abort(client); // the relay is down: the client hears a reset, as from a refused connection
                abort(relay);
                continue;
            }
            Link link = new Link(client, relay);
            links.add(link);
            link.start();
            if (closed) {
                link.reset();
            }
        }
    }

    private static void abort(Socket s) {
        try {
            if (!s.isClosed()) {
                s.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        close(s);
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing left to do with it
        }
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // not accepting any more is all that is wanted
        }
        resetAll();
        for (Link l : silenced) {
            close(l.client);
            close(l.relay);
        }
        threads.shutdownNow();
        if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fault proxy threads still running 10 s after close");
        }
    }

    /** One proxied connection: two sockets, a pipe each way. */
    private final class Link implements FaultPipe.Ends {
        final Socket client;
        final Socket relay;
        final FaultPipe upstream;
        final FaultPipe downstream;
        final AtomicInteger halfCloses = new AtomicInteger();

        Link(Socket client, Socket relay) {
            this.client = client;
            this.relay = relay;
            this.upstream = new FaultPipe(client, relay, () -> up, this);
            this.downstream = new FaultPipe(relay, client, () -> down, this);
        }

        void start() {
            upstream.start(threads);
            downstream.start(threads);
        }

        @Override
        public void halfClosed() {
            if (halfCloses.incrementAndGet() == 2) {
                close(client);
                close(relay);
                links.remove(this);
            }
        }

        @Override
        public void failed(IOException cause) {
            reset(); // one side reset or failed: the other hears a reset too, as through a real path
        }

        void reset() {
            upstream.drop();
            downstream.drop();
            abort(client);
            abort(relay);
            links.remove(this);
        }

        void blackHole() {
            upstream.drop();
            downstream.drop();
            if (links.remove(this)) {
                silenced.add(this);
            }
        }

        void vanish(Side gone) {
            blackHole();
            abort(gone == Side.CLIENT ? client : relay);
        }
    }
}
