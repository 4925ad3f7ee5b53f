package dev.homeport.client.jupyter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Tells the user when nothing listens where the Jupyter tunnel points: the tunnel goes live anyway
 * (Jupyter may be started next), so this warns once, keeps looking every {@code interval}, and says
 * when Jupyter answers. A daemon thread of its own; it never touches the client's event loop.
 */
public final class JupyterWatch {
    private static final Logger log = LoggerFactory.getLogger(JupyterWatch.class);

    private final String host;
    private final int port;
    private final Duration interval;
    private final Duration connectTimeout;

    public JupyterWatch(String host, int port, Duration interval, Duration connectTimeout) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("--recheck-interval must be positive, got " + interval);
        }
        this.host = host;
        this.port = port;
        this.interval = interval;
        this.connectTimeout = connectTimeout;
    }

    /** Looks once now; if nothing answers, warns and keeps looking in the background until something does. */
    public void start() {
        if (answers()) {
            return;
        }
        String target = target();
        log.warn("event=jupyter_not_answering target={} detail=\"nothing answers there, so the tunnel leads nowhere yet; "
                + "start Jupyter on port {} (jupyter lab --port {}) or pass the --port it uses; checking every {} ms\"",
                target, port, port, interval.toMillis());
        Thread t = new Thread(() -> {
            try {
                while (!answers()) {
                    Thread.sleep(interval.toMillis());
                }
                log.info("event=jupyter_answering target={} detail=\"Jupyter's port now answers; the tunnel reaches it\"", target);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
            }
        }, "homeport-jupyter-watch");
        t.setDaemon(true);
        t.start();
    }

    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            return true;
        } catch (IOException nothingThere) {
            return false;
        }
    }

    private String target() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
