package dev.homeport.server.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.homeport.server.metrics.RelayMetrics;
import dev.homeport.server.tunnel.HostRegistry;
import dev.homeport.server.tunnel.TunnelLifecycle;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.homeport.testsupport.FuzzChannel;
import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the public HTTP pipeline as {@link PublicHttpListener} assembles it
 * (docs/fuzzing.md), with no tunnel bound: any bytes, in any fragments. Invariants: no exception
 * escapes; nothing is passed on toward a stream; every answer is one of the relay's own error pages
 * (400, 404, 414, 431) and the connection is closed after it; no buffer left live.
 */
class PublicHttpFuzzTest {
    private static final HttpSettings SETTINGS = HttpSettings.on(null, "example.com");
    private static final HostRegistry HOSTS = new HostRegistry("example.com", Duration.ZERO, new AtomicInteger(1),
            TunnelLifecycle.NONE);

    @AfterAll
    static void closeRegistry() {
        HOSTS.close();
    }

    @FuzzTest(maxDuration = "20s")
    void anyPublicBytesGetAnErrorPageAndACloseOrNothingAndNeverReachAStream(FuzzedDataProvider data) {
        try (FuzzChannel ch = new FuzzChannel(t -> false,
                new PublicRequestDecoder(SETTINGS), new HostRouter(HOSTS, SETTINGS.trustedProxies(), "http",
                        new RelayMetrics(new SimpleMeterRegistry(), List::of), null),
                new UpgradeGate(SETTINGS), new RequestReencoder())) {
            boolean answered = false;
            while (data.remainingBytes() > 0 && ch.channel().isOpen()) {
                ch.write(data.consumeBytes(data.consumeInt(1, 128)));
                List<Object> forwarded = ch.inbound();
                forwarded.forEach(ReferenceCountUtil::release);
                assertThat(forwarded).as("passed on with no tunnel bound").isEmpty();
                for (Object o : ch.outbound()) {
                    try {
                        String head = ((ByteBuf) o).toString(StandardCharsets.ISO_8859_1);
                        assertThat(head).matches("(?s)HTTP/1\\.1 (400|404|414|431) .*");
                        answered = true;
                    } finally {
                        ReferenceCountUtil.release(o);
                    }
                }
                ch.channel().runPendingTasks();
                if (answered) {
                    assertThat(ch.channel().isOpen()).as("open after an error page").isFalse();
                }
            }
        }
    }
}
