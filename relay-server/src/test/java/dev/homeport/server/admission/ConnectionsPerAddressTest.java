package dev.homeport.server.admission;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-address cap's counter; HostilePublicTrafficTest shows it on real listeners. */
class ConnectionsPerAddressTest {
    @Test
    void anAddressGetsItsCapAnotherAddressIsCountedApartAndTheTableEmptiesWhenAllClose() throws Exception {
        ConnectionsPerAddress cap = new ConnectionsPerAddress(2, a -> { });
        InetAddress a = InetAddress.getByName("198.51.100.1");
        InetAddress b = InetAddress.getByName("2001:db8::1");

        assertThat(cap.tryAcquire(a)).isTrue();
        assertThat(cap.tryAcquire(a)).isTrue();
        assertThat(cap.tryAcquire(a)).as("a third from the same address").isFalse();
        assertThat(cap.tryAcquire(b)).as("another address").isTrue();
        assertThat(cap.openFrom(a)).isEqualTo(2);

        cap.release(a);
        assertThat(cap.tryAcquire(a)).as("a place freed by a close").isTrue();
        cap.release(a);
        cap.release(a);
        cap.release(b);
        assertThat(cap.addresses()).as("addresses tracked with nothing open").isZero();
    }

    @Test
    void theCapIsAtLeastOne() {
        assertThatThrownBy(() -> new ConnectionsPerAddress(0, a -> { }))
                .hasMessage("max connections per address must be at least 1, got 0");
    }
}
