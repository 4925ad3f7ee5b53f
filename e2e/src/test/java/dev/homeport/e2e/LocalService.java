package dev.homeport.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The service behind a tunnel: plain blocking sockets on loopback, one thread per connection, so
 * that it checks the tunnel with code that shares nothing with Netty. What it does with each
 * connection is a {@link Behaviour}; failures are kept for the test to inspect.
 */
final class LocalService implements AutoCloseable {
    /** Serves one accepted connection; the service closes the socket afterwards. */
    @FunctionalInterface
    interface Behaviour {
        void serve(Socket connection) throws Exception;
    }

    private final ServerSocket server;
    private final Behaviour behaviour;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-service");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private volatile boolean closed;

    private LocalService(ServerSocket server, Behaviour behaviour) {
        this.server = server;
        this.behaviour = behaviour;
        threads.execute(this::acceptLoop);
    }

    static LocalService start(Behaviour behaviour) throws IOException {
        return start(0, behaviour);
    }

    /** Sends back whatever it receives, then closes once the peer has finished sending. */
    static LocalService echo(int port) throws IOException {
        return start(port, connection -> connection.getInputStream().transferTo(connection.getOutputStream()));
    }

    /** Listens on 127.0.0.1:{@code port} (0: any free port). */
    static LocalService start(int port, Behaviour behaviour) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        return new LocalService(server, behaviour);
    }

    int port() {
        return server.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Connections open now. */
    int active() {
        return active.get();
    }

    /** The most connections that were open at the same moment. */
    int maxConcurrent() {
        return maxActive.get();
    }

    List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    failures.add(e);
                }
                return;
            }
            accepted.incrementAndGet();
            open.add(s);
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            threads.execute(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            behaviour.serve(s);
        } catch (Throwable e) {
            if (!(closed && e instanceof SocketException)) {
                failures.add(e);
            }
        } finally {
            active.decrementAndGet();
            open.remove(s);
        }
    }

    @Override
    public void close() throws Exception {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
        if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("local service threads still running 10 s after close");
        }
    }
}
