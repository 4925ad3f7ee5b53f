package dev.homeport.server.cluster;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryOptionsTest {

    @Test
    void aCommaSeparatedListBecomesTheEndpointsWithTheDefaults() {
        List<URI> endpoints = RegistryOptions.parseEndpoints("http://127.0.0.1:2379, https://etcd-2:2379,");
        RegistryOptions options = RegistryOptions.of(endpoints);

        assertThat(endpoints).containsExactly(URI.create("http://127.0.0.1:2379"), URI.create("https://etcd-2:2379"));
        assertThat(options.prefix()).isEqualTo("/homeport/");
        assertThat(options.callTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void badSettingsAreRefusedNamingWhatIsWrong() {
        assertThatThrownBy(() -> RegistryOptions.parseEndpoints("")).hasMessageContaining("at least one URL");
        assertThatThrownBy(() -> RegistryOptions.parseEndpoints("127.0.0.1:2379")).hasMessageContaining("http://HOST:PORT");
        assertThatThrownBy(() -> RegistryOptions.parseEndpoints("http://127.0.0.1")).hasMessageContaining("got 'http://127.0.0.1'");
        List<URI> one = List.of(URI.create("http://127.0.0.1:2379"));
        assertThatThrownBy(() -> RegistryOptions.of(one).withPrefix("/homeport")).hasMessageContaining("must end with '/'");
        assertThatThrownBy(() -> RegistryOptions.of(one).withCallTimeout(Duration.ZERO)).hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> new RegistryOptions(one, null, null, null, null, null, "root", null))
                .hasMessageContaining("needs a password");
    }

    @Test
    void theRegistryModuleMissingFromTheClassPathIsOneClearMessage() {
        assertThatThrownBy(() -> ClaimRegistryProvider.find("etcd"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("homeport-registry-etcd")
                .hasMessageContaining("start without --etcd");
    }
}
