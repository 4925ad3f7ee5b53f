package dev.homeport.e2e;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameType;
import dev.homeport.protocol.message.Bind;
import dev.homeport.protocol.message.BindRefused;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.server.admission.TenantLimits;
import dev.homeport.server.http.HttpSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one token, and one session of it, may hold on the relay (--max-tunnels-per-session,
 * --max-tunnels-per-token, --max-sessions-per-token), tried by hand-made clients over TLS with the
 * relay's own token, whose right covers every host name: past each cap the relay refuses with a
 * message that names the setting, and the per-tunnel series of /metrics stay within the caps.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TenantLimitsTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @Test
    void aSessionWithAWildcardHostRightIsGrantedAtMostMaxTunnelsPerSession() throws Exception {
        RelayHarness h = start(c -> c);
        int max = TenantLimits.DEFAULT_MAX_TUNNELS_PER_SESSION;
        try (RawSession s = RawSession.openTls(h.relay().controlAddress(), RelayHarness.TOKEN, 1 << 20)) {
            List<Frame> answers = bindHosts(s, "a", max + 6);
            assertThat(answers.subList(0, max)).allMatch(f -> f.type() == FrameType.BIND_OK);
            for (Frame f : answers.subList(max, max + 6)) {
                assertThat(f.type()).isEqualTo(FrameType.BIND_REFUSED);
                BindRefused refused = BindRefused.decode(f.payload());
                assertThat(refused.code()).isEqualTo(ErrorCode.BIND_DENIED);
                assertThat(refused.message()).contains("--max-tunnels-per-session");
            }
            // The harness's client holds one port tunnel: two series each.
            assertThat(tunnelSeries(h)).isEqualTo(2 * (max + 1));
        }
    }

    @Test
    void aTokenHoldsAtMostMaxTunnelsPerTokenOverAllItsSessionsAndMetricsStayWithinIt() throws Exception {
        int perToken = 40;
        RelayHarness h = start(c -> c.withTenantLimits(new TenantLimits(32, 64, perToken)));
        InetSocketAddress control = h.relay().controlAddress();
        try (RawSession first = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20);
             RawSession second = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
            assertThat(bindHosts(first, "first", 30)).allMatch(f -> f.type() == FrameType.BIND_OK);
            List<Frame> answers = bindHosts(second, "second", 20);
            // The harness's client holds one tunnel of the same token: 40 - 1 - 30 = 9 more.
            assertThat(answers.subList(0, 9)).allMatch(f -> f.type() == FrameType.BIND_OK);
            for (Frame f : answers.subList(9, 20)) {
                BindRefused refused = BindRefused.decode(f.payload());
                assertThat(refused.code()).isEqualTo(ErrorCode.BIND_DENIED);
                assertThat(refused.message()).contains("--max-tunnels-per-token");
            }
            assertThat(tunnelSeries(h)).isEqualTo(2 * perToken);
        }
    }

    @Test
    void aTokenHoldsAtMostMaxSessionsPerTokenAndAFreedPlaceIsTakenAgain() throws Exception {
        RelayHarness h = start(c -> c.withTenantLimits(new TenantLimits(3, 64, 256)));
        InetSocketAddress control = h.relay().controlAddress();
        // The harness's client is the first session of the token.
        RawSession second = teardown.add(RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20));
        teardown.add(RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20));
        Await.until(Duration.ofSeconds(5), "three sessions", () -> h.relay().sessions().size() == 3);

        try (RawSession fourth = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
            GoAway goAway = fourth.awaitGoAway();
            assertThat(goAway).as("GO_AWAY for the session past the cap").isNotNull();
            assertThat(goAway.code()).isEqualTo(ErrorCode.SESSION_LIMIT);
            assertThat(goAway.message()).contains("--max-sessions-per-token");
            assertThat(fourth.closedByRelay()).isTrue();
        }
        assertThat(h.relay().sessions()).hasSize(3);
        assertThat(h.relay().meterRegistry().get("homeport.sessions.refused").counter().count()).isEqualTo(1.0);

        second.close();
        Await.until(Duration.ofSeconds(5), "the closed session gone", () -> h.relay().sessions().size() == 2);
        try (RawSession again = RawSession.openTls(control, RelayHarness.TOKEN, 1 << 20)) {
            again.sendBind(new Bind(1, Bind.KIND_HTTP, 0, "again", "again.example.com"));
            assertThat(again.awaitBindAnswer().type()).as("the freed place is taken").isEqualTo(FrameType.BIND_OK);
        }
    }

    private RelayHarness start(UnaryOperator<dev.homeport.server.RelayServerConfig> limits) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        return teardown.add(RelayHarness.over(Transport.TLS)
                .relay(c -> limits.apply(c.withHttp(HttpSettings.on(new InetSocketAddress("127.0.0.1", 0), "example.com"))))
                .start(echo.port()));
    }

    /** BINDs {@code count} host names one after another, each after the answer to the one before. */
    private static List<Frame> bindHosts(RawSession s, String prefix, int count) throws IOException {
        List<Frame> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            s.sendBind(new Bind(i + 1, Bind.KIND_HTTP, 0, prefix + i, prefix + i + ".example.com"));
            answers.add(s.awaitBindAnswer());
        }
        return answers;
    }

    private static long tunnelSeries(RelayHarness h) {
        MeterRegistry registry = h.relay().meterRegistry();
        return registry.find("homeport.tunnel.traffic").meters().size();
    }
}
