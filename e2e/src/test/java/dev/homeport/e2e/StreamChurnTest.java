package dev.homeport.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Streams opened while others are being cut, all on the client's one event loop: every new stream
 * reaches its local service and carries its bytes. A local socket closed while its data was still
 * arriving must not pass that data's pending readiness on to a new socket that the kernel gave the
 * same file descriptor (the new socket would fail with "not yet connected", and its stream with it).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamChurnTest {
    private static final int THREADS = 16;
    private static final Duration LENGTH = Duration.ofSeconds(6);
    private static final int GREETING = 1024;

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @Test
    void streamsOpenedWhileOthersAreResetAllReachTheLocalService() throws Exception {
        // Writes until the connection is cut, so that every local socket has data arriving when it is closed.
        LocalService service = teardown.add(LocalService.start(socket -> {
            byte[] chunk = new byte[GREETING];
            try {
                while (true) {
                    socket.getOutputStream().write(chunk);
                    Thread.sleep(1);
                }
            } catch (IOException cut) {
                // the stream was reset: expected
            }
        }));
        RelayHarness h = teardown.add(RelayHarness.over(Transport.PLAIN).start(service.port()));
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger streams = new AtomicInteger();
        long deadline = System.nanoTime() + LENGTH.toNanos();

        List<FutureTask<Void>> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            threads.add(Exchange.inThread("churn-" + t, () -> {
                while (System.nanoTime() < deadline && failures.size() < 5) {
                    Socket s = h.connect();
                    try {
                        int got = s.getInputStream().readNBytes(GREETING).length;
                        if (got != GREETING) {
                            failures.add("a stream ended after " + got + " of " + GREETING + " bytes");
                        }
                    } catch (IOException e) {
                        failures.add("a stream failed before its first " + GREETING + " bytes: " + e);
                    }
                    s.setSoLinger(true, 0);
                    s.close();
                    streams.incrementAndGet();
                }
                return null;
            }));
        }
        for (FutureTask<Void> t : threads) {
            t.get(LENGTH.toSeconds() + 30, TimeUnit.SECONDS);
        }

        System.out.printf("event=measured scenario=stream_churn streams=%d failures=%d%n", streams.get(), failures.size());
        assertThat(failures).as("of " + streams.get() + " streams").isEmpty();
        h.awaitAllStreamsClosed(Duration.ofSeconds(10));
    }
}
