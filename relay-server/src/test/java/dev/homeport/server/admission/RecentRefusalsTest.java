package dev.homeport.server.admission;

import dev.homeport.server.PortRange;
import dev.homeport.server.RelayServerConfig;
import dev.homeport.server.auth.SingleToken;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's list of recent refusals: newest first, bounded by --dashboard-refusals. */
class RecentRefusalsTest {

    @Test
    void theListKeepsTheNewestUpToItsCapacityNewestFirst() {
        RecentRefusals recent = new RecentRefusals(3);
        for (int i = 1; i <= 5; i++) {
            recent.add(RecentRefusals.LIMIT, new InetSocketAddress("192.0.2." + i, 1000 + i), "reason " + i);
        }
        assertThat(recent.list()).extracting(RecentRefusals.Entry::reason).containsExactly("reason 5", "reason 4", "reason 3");
        assertThat(recent.list().get(0).remote()).isEqualTo("192.0.2.5:1005");
        assertThat(recent.list().get(0).kind()).isEqualTo("limit");
    }

    @Test
    void aFloodOfRefusalsLeavesTheListAtItsCapacity() {
        RecentRefusals recent = new RecentRefusals(100);
        for (int i = 0; i < 100_000; i++) {
            recent.add(RecentRefusals.THROTTLED, new InetSocketAddress("198.51.100.7", i % 65536), "too many");
        }
        assertThat(recent.list()).hasSize(100);
    }

    @Test
    void capacityZeroListsNothing() {
        RecentRefusals recent = new RecentRefusals(0);
        recent.add(RecentRefusals.DENIED, new InetSocketAddress("192.0.2.1", 1), "x");
        assertThat(recent.list()).isEmpty();
    }

    @Test
    void anIpv6PeerIsWrittenInBrackets() throws Exception {
        RecentRefusals recent = new RecentRefusals(1);
        recent.add(RecentRefusals.DENIED, new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 443), "x");
        assertThat(recent.list().get(0).remote()).isEqualTo("[2001:db8:0:0:0:0:0:1]:443");
    }

    @Test
    void theSettingDefaultsToOneHundredAndIsBounded() {
        RelayServerConfig config = RelayServerConfig.of(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1",
                new PortRange(40000, 40001), new SingleToken("t"));
        assertThat(config.recentRefusals()).isEqualTo(RelayServerConfig.DEFAULT_RECENT_REFUSALS).isEqualTo(100);
        assertThat(config.withRecentRefusals(0).recentRefusals()).isZero();
        assertThatThrownBy(() -> config.withRecentRefusals(-1)).hasMessageContaining("recentRefusals must be 0-10000");
        assertThatThrownBy(() -> config.withRecentRefusals(RelayServerConfig.MAX_RECENT_REFUSALS + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
