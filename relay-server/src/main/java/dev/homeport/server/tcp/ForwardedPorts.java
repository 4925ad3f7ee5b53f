package dev.homeport.server.tcp;

import dev.homeport.server.cluster.PeerRoutes;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

/**
 * Keeps this relay listening on every public TCP port another relay of the cluster serves
 * ({@link PeerRoutes#ports()}), so a public client may reach any relay: the routes' changes open
 * and close listeners here. A port with a local tunnel is left to it ({@link #release} before the
 * tunnel binds). Binding blocks on the OS, so it runs on one thread of its own; a port the OS
 * refuses (its local tunnel's listener still closing) is tried again a little later.
 */
public final class ForwardedPorts implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ForwardedPorts.class);
    /** How long after a refused bind the ports are tried again. */
    static final Duration RETRY_DELAY = Duration.ofSeconds(1);
    /** Tries in a row, at {@link #RETRY_DELAY}, before a refused port waits for the next change of the routes. */
    static final int MAX_RETRIES = 30;
    /** How long a port given up for a local tunnel is not taken back, while that tunnel binds it. */
    static final Duration YIELD_TIME = Duration.ofSeconds(10);

    private final PeerRoutes routes;
    private final PublicTcpListener listener;
    private final IntPredicate heldLocally;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-forwarded-ports");
        t.setDaemon(true);
        return t;
    });
    /** Below, on {@link #thread} only. */
    private final Map<Integer, Channel> listening = new HashMap<>();
    /** Ports given up for a local tunnel, and when. */
    private final Map<Integer, Long> yielded = new HashMap<>();
    private ScheduledFuture<?> retry;
    private int retries;
    private boolean closed;

    /** @param heldLocally whether a local tunnel holds (or has reserved) a port */
    public ForwardedPorts(PeerRoutes routes, PublicTcpListener listener, IntPredicate heldLocally) {
        this.routes = routes;
        this.listener = listener;
        this.heldLocally = heldLocally;
    }

    /** Listens on the ports served elsewhere now, and follows the routes from here on. */
    public void start() {
        routes.onChange(this::sync);
        sync();
    }

    /** Brings the listeners in line with the routes, soon, off the caller's thread. */
    public void sync() {
        if (!thread.isShutdown()) {
            thread.execute(this::syncNow);
        }
    }

    /**
     * The local tunnel on {@code port} is gone (expired, or superseded by another relay's claim): the
     * port is forwarded again at once if another relay serves it, without waiting out {@link #YIELD_TIME}.
     */
    public void localTunnelGone(int port) {
        if (!thread.isShutdown()) {
            thread.execute(() -> {
                yielded.remove(port);
                syncNow();
            });
        }
    }

    /** A local tunnel is about to bind {@code port}: stops forwarding it, and returns once the port is free. */
    public void release(int port) {
        if (thread.isShutdown()) {
            return;
        }
        try {
            thread.submit(() -> {
                yielded.put(port, System.nanoTime());
                Channel ch = listening.remove(port);
                if (ch != null) {
                    ch.close().syncUninterruptibly();
                    log.info("event=forwarded_port_released port={} reason=\"a local tunnel binds it\"", port);
                }
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("event=forwarded_port_release_failed port={}", port, e.getCause());
        }
    }

    /** The ports this relay listens on for other relays now, for tests. */
    public Set<Integer> listening() {
        try {
            return thread.submit(() -> Set.copyOf(listening.keySet())).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Set.of();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private void syncNow() {
        if (closed) {
            return;
        }
        Set<Integer> wanted = routes.ports();
        for (Iterator<Map.Entry<Integer, Channel>> it = listening.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Integer, Channel> e = it.next();
            if (!wanted.contains(e.getKey())) {
                e.getValue().close().syncUninterruptibly();
                it.remove();
                log.info("event=forwarded_port_closed port={}", e.getKey());
            }
        }
        boolean refused = false;
        for (int port : wanted) {
            if (listening.containsKey(port) || heldLocally.test(port)) {
                yielded.remove(port);
                continue;
            }
            Long since = yielded.get(port);
            if (since != null && System.nanoTime() - since < YIELD_TIME.toNanos()) {
                refused = true; // a local tunnel is binding it: look again later
                continue;
            }
            yielded.remove(port);
            try {
                listening.put(port, listener.listenForwarded(port));
                log.info("event=forwarded_port_listening port={} relay={}", port, routes.forPort(port) == null ? "-"
                        : routes.forPort(port).relayId());
            } catch (Exception e) {
                refused = true;
                log.info("event=forwarded_port_unavailable port={} reason=\"{}\"", port, e.getMessage());
            }
        }
        if (!refused) {
            retries = 0;
        } else if (retry == null && retries++ < MAX_RETRIES) {
            retry = thread.schedule(this::retryNow, RETRY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** A scheduled retry: it is no longer pending while it runs, so it may schedule the next one. */
    private void retryNow() {
        retry = null;
        syncNow();
    }

    /** Closes every forwarding listener; connections already accepted go on. */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        try {
            thread.submit(() -> {
                closed = true;
                listening.values().forEach(ch -> ch.close().syncUninterruptibly());
                listening.clear();
            }).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            log.warn("event=forwarded_ports_close_failed", e.getCause());
        }
        thread.shutdownNow();
    }
}
