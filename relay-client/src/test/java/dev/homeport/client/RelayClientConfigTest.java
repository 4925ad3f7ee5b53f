package dev.homeport.client;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client fails closed: without a token it does not start (a wrong one: WrongTokenTest). */
class RelayClientConfigTest {
    @ParameterizedTest
    @NullAndEmptySource
    void aMissingOrEmptyTokenIsRefusedBeforeAnyConnection(String token) {
        assertThatThrownBy(() -> RelayClientConfig.of("relay.example.com", 7700, token,
                List.of(new TunnelSpec("t", "127.0.0.1", 8888, 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a token is required (--token or HOMEPORT_TOKEN)");
    }
}
