package dev.homeport.e2e;

import dev.homeport.protocol.ProtocolSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A notebook's kernel WebSocket left idle through the tunnel is still the same working connection
 * afterwards: keep-alive carries the session through the silence, and nothing along the way times
 * the stream out. The build idles 5 s with a 250 ms ping; the long run
 * ({@code -Dhomeport.idle.seconds=300}) idles five minutes with the default keep-alive settings.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class IdleWebSocketTest {
    private static final Duration IDLE = Duration.ofSeconds(Integer.getInteger("homeport.idle.seconds", 5));
    /** Short keep-alive for the short idle, so that many pings cross it; the deployment defaults for a long one. */
    private static final ProtocolSettings PROTOCOL = IDLE.compareTo(Duration.ofSeconds(60)) < 0
            ? Reliability.shortKeepAlive() : ProtocolSettings.defaults();

    @RegisterExtension
    final Teardown teardown = new Teardown();

    @Test
    void aWebSocketIdleThroughTheTunnelStillEchoesOnTheSameConnectionAndSession() throws Exception {
        WebSocketEchoService service = teardown.add(WebSocketEchoService.start());
        RelayHarness h = teardown.add(RelayHarness.over(Transport.TLS)
                .relay(c -> c.withProtocol(PROTOCOL))
                .client(c -> c.withProtocol(PROTOCOL))
                .start(service.port()));
        String session = h.client().session().id();
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + h.publicPort() + WebSocketEchoService.PATH), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        received.add(data.toString());
                        webSocket.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        teardown.add(() -> ws.abort());

        ws.sendText("before the idle", true).get(10, TimeUnit.SECONDS);
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("before the idle");
        long t0 = System.nanoTime();
        Await.sleep(IDLE);
        ws.sendText("after " + IDLE.toSeconds() + " s idle", true).get(10, TimeUnit.SECONDS);

        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("after " + IDLE.toSeconds() + " s idle");
        assertThat(ws.isInputClosed() || ws.isOutputClosed()).as("WebSocket closed").isFalse();
        assertThat(h.client().session().id()).as("the client's session, unchanged since before the idle").isEqualTo(session);
        assertThat(h.log(h.client()).disconnects()).isZero();
        System.out.printf("event=measured scenario=idle_websocket idle_s=%d ping_ms=%d keepalive_timeout_ms=%d elapsed_ms=%d"
                        + " session_unchanged=true%n", IDLE.toSeconds(), PROTOCOL.pingInterval().toMillis(),
                PROTOCOL.keepAliveTimeout().toMillis(), (System.nanoTime() - t0) / 1_000_000);
    }
}
