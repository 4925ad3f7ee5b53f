package dev.homeport.e2e;

import dev.homeport.client.RelayClient;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A client with the wrong token is refused for good, with a reason, and the relay serves everyone else as before. */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WrongTokenTest {
    @RegisterExtension
    final Teardown teardown = new Teardown();

    @AcrossTransports
    void clientWithTheWrongTokenGivesUpSayingSoAndTheRelayKeepsServingOthers(Transport transport) throws Exception {
        LocalService echo = teardown.add(LocalService.echo(0));
        RelayHarness h = teardown.add(RelayHarness.over(transport).start(echo.port()));

        RelayClient intruder = h.startClient("not-the-relay-token", echo.port());

        assertThat(intruder.failure().get(10, TimeUnit.SECONDS)).containsIgnoringCase("token");
        assertThatThrownBy(() -> intruder.bound().get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        // It gave up: it does not hammer the relay with retries.
        Await.sleep(Duration.ofMillis(500));
        assertThat(h.log(intruder).connects()).isZero();
        assertThat(h.log(intruder).disconnects()).isZero();

        assertThat(h.request(h.publicPort(), "the first client's tunnel still works"))
                .isEqualTo("the first client's tunnel still works");
        int second = h.expose(echo.port());
        assertThat(second).isNotEqualTo(h.publicPort());
        assertThat(h.request(second, "and a new client with the right token binds and serves"))
                .isEqualTo("and a new client with the right token binds and serves");
        assertThat(h.relay().sessions()).hasSize(2);
    }
}
