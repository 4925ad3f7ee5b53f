package dev.homeport.bench;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Bounds a measurement in time: when it expires it closes everything registered with it, which
 * wakes any thread blocked on those sockets, so no run can outlive --max-seconds.
 */
final class Watchdog implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "watchdog");
        t.setDaemon(true);
        return t;
    });
    private final List<Closeable> guarded = new CopyOnWriteArrayList<>();
    private final long deadlineNanos;
    private volatile boolean expired;

    Watchdog(long seconds) {
        this.deadlineNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        timer.schedule(this::expire, seconds, TimeUnit.SECONDS);
    }

    <T extends Closeable> T guard(T resource) {
        guarded.add(resource);
        if (expired) {
            closeQuietly(resource);
        }
        return resource;
    }

    boolean expired() {
        return expired || System.nanoTime() - deadlineNanos >= 0;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    private void expire() {
        expired = true;
        guarded.forEach(Watchdog::closeQuietly);
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing to unblock or clean up; nothing more to do
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
