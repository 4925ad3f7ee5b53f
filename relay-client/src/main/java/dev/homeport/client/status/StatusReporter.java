package dev.homeport.client.status;

import dev.homeport.client.RelayClient;
import dev.homeport.client.RelayClientConfig;
import dev.homeport.client.TunnelSpec;
import dev.homeport.protocol.mux.MuxSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples a running client every {@link #INTERVAL}: publishes its {@link ClientStatus} for
 * {@code homeport status} and, on a terminal, redraws the status line. Runs on its own daemon
 * thread and only reads the session's counters, so it never touches the event loop.
 */
public final class StatusReporter implements AutoCloseable {
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Logger log = LoggerFactory.getLogger(StatusReporter.class);

    private final RelayClient client;
    private final RelayClientConfig config;
    private final StatusFiles files;
    private final TerminalLine line;
    private final long pid = ProcessHandle.current().pid();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "homeport-status");
        t.setDaemon(true);
        return t;
    });
    private MuxSession lastSession;
    private long lastIn;
    private long lastOut;
    private long lastNanos;
    private boolean publishFailed;

    private StatusReporter(RelayClient client, RelayClientConfig config, StatusFiles files, TerminalLine line) {
        this.client = client;
        this.config = config;
        this.files = files;
        this.line = line;
    }

    /** Starts sampling; {@code line} may be null (not a terminal). */
    public static StatusReporter start(RelayClient client, RelayClientConfig config, StatusFiles files, TerminalLine line) {
        StatusReporter r = new StatusReporter(client, config, files, line);
        r.timer.scheduleAtFixedRate(r::tick, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return r;
    }

    private void tick() {
        ClientStatus status = sample();
        try {
            files.publish(status);
            publishFailed = false;
        } catch (IOException e) {
            if (!publishFailed) {
                log.warn("event=status_unpublished dir={} reason=\"{}\"", files.directory(), e.toString());
                publishFailed = true;
            }
        }
        if (line != null) {
            line.show("homeport: " + status.line());
        }
    }

    /** The client's status now; rates over the time since the previous sample. */
    synchronized ClientStatus sample() {
        MuxSession s = client.session();
        long now = System.nanoTime();
        long in = s == null ? 0 : s.bytesReceived();
        long out = s == null ? 0 : s.bytesSent();
        long inRate = 0;
        long outRate = 0;
        if (s != null && s == lastSession && now > lastNanos) {
            double seconds = (now - lastNanos) / 1e9;
            inRate = Math.round((in - lastIn) / seconds);
            outRate = Math.round((out - lastOut) / seconds);
        }
        lastSession = s;
        lastIn = in;
        lastOut = out;
        lastNanos = now;
        Map<String, String> addresses = client.addresses();
        List<ClientStatus.Tunnel> tunnels = new ArrayList<>();
        for (TunnelSpec t : config.tunnels()) {
            tunnels.add(new ClientStatus.Tunnel(t.name(), addresses.getOrDefault(t.name(), ""), t.localTarget()));
        }
        return new ClientStatus(pid, client.relayInUse(), s != null,
                s == null ? 0 : s.openStreams(), in, out, inRate, outRate,
                s == null ? 0 : TimeUnit.NANOSECONDS.toMillis(s.rttNanos()), tunnels);
    }

    /** Stops sampling, removes the status file and the terminal line. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        files.withdraw(pid);
        if (line != null) {
            line.close();
        }
    }
}
