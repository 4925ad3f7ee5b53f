package dev.homeport.client.transport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code --server A:7700,B:7700}: several relays of one transport, each given once. */
class RelayListTest {
    @Test
    void aCommaListGivesEveryRelayInItsOrderAndSpacesAroundEntriesDoNotMatter() {
        RelayList list = RelayList.parse(" a.example.com:7700 , tls://b.example.com:7701,[::1]:7702 ");
        assertThat(list.hosts()).containsExactly(new RelayHost("a.example.com", 7700), new RelayHost("b.example.com", 7701),
                new RelayHost("::1", 7702));
        assertThat(list.first().scheme()).isEqualTo("tls");
    }

    @Test
    void oneRelayIsAListOfOne() {
        assertThat(RelayList.parse("relay.example.com:7700").relays())
                .containsExactly(new RelayAddress("tls", "relay.example.com", 7700, null));
    }

    @Test
    void aRelayListedTwiceIsKeptOnceWhateverTheCaseOfItsName() {
        assertThat(RelayList.parse("a:7700,B:7700,A:7700,b:7700,a:7701").hosts())
                .containsExactly(new RelayHost("a", 7700), new RelayHost("B", 7700), new RelayHost("a", 7701));
    }

    @Test
    void webSocketRelaysShareTheirPath() {
        RelayList list = RelayList.parse("wss://a.example.com/tunnel,wss://b.example.com:8443/tunnel");
        assertThat(list.hosts()).containsExactly(new RelayHost("a.example.com", 443), new RelayHost("b.example.com", 8443));
        assertThat(list.first().path()).isEqualTo("/tunnel");
        assertThatThrownBy(() -> RelayList.parse("wss://a.example.com/x,wss://b.example.com/y"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--server mixes WebSocket paths /x and /y");
    }

    @Test
    void aListMixingSchemesIsRefusedNamingTheFlagAndBothEntries() {
        assertThatThrownBy(() -> RelayList.parse("a:7700,tcp://b:7700"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--server mixes tls:// (a:7700) and tcp:// (b:7700): every relay in the list must use one transport");
        assertThatThrownBy(() -> RelayList.parse("wss://a/_homeport,tls://b:7700")).hasMessageContaining("--server mixes wss://");
    }

    @Test
    void emptyEntriesAndBadEntriesSayWhatIsExpected() {
        assertThatThrownBy(() -> RelayList.parse("a:7700,,b:7700")).hasMessageContaining("--server has an empty entry");
        assertThatThrownBy(() -> RelayList.parse("a:7700,")).hasMessageContaining("--server has an empty entry");
        assertThatThrownBy(() -> RelayList.parse("a:7700,b")).hasMessageContaining("--server needs a port, e.g. b:7700");
        assertThatThrownBy(() -> RelayList.parse(" ")).hasMessageContaining("--server is required");
    }
}
