package dev.homeport.client.transport;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProxyEnvironmentTest {
    @Test
    void httpsProxyIsReadAsCurlReadsIt() {
        assertThat(ClientTransport.proxyFrom(Map.of("HTTPS_PROXY", "http://127.0.0.1:3128"), "relay.example.com"))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 3128));
        assertThat(ClientTransport.proxyFrom(Map.of("https_proxy", "127.0.0.1:8080"), "relay.example.com"))
                .isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(ClientTransport.proxyFrom(Map.of("HTTPS_PROXY", "http://127.0.0.1"), "relay.example.com").getPort())
                .isEqualTo(3128);
        assertThat(ClientTransport.proxyFrom(Map.of(), "relay.example.com")).isNull();
    }

    @Test
    void noProxyListsHostsAndDomainsThatAreReachedDirectly() {
        Map<String, String> env = Map.of("HTTPS_PROXY", "http://127.0.0.1:3128", "NO_PROXY", "localhost, .example.com");
        assertThat(ClientTransport.proxyFrom(env, "relay.example.com")).isNull();
        assertThat(ClientTransport.proxyFrom(env, "example.com")).isNull();
        assertThat(ClientTransport.proxyFrom(env, "relay.example.org")).isNotNull();
        assertThat(ClientTransport.proxyFrom(Map.of("HTTPS_PROXY", "http://127.0.0.1:3128", "no_proxy", "*"), "anything")).isNull();
    }

    @Test
    void aProxyThatDoesNotResolveIsAClearError() {
        assertThatThrownBy(() -> ClientTransport.proxyFrom(Map.of("HTTPS_PROXY", "http://no-such-proxy.invalid:3128"), "relay"))
                .hasMessageContaining("does not resolve");
    }
}
