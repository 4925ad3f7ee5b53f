package dev.homeport.server.cluster;

import dev.homeport.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each cluster-wide refusal gets the BIND_REFUSED code one relay alone gives for it (PROTOCOL.md, "Pools"). */
class RegistryClaimsTest {
    @Test
    void refusalsAnswerAsOneRelayAloneDoes() {
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.HELD)).isEqualTo(ErrorCode.BIND_HELD);
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.TAKEN)).isEqualTo(ErrorCode.BIND_UNAVAILABLE);
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.SAME_SESSION)).isEqualTo(ErrorCode.BIND_UNAVAILABLE);
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.POOL_FULL)).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.RULES_DIFFER)).isEqualTo(ErrorCode.BIND_DENIED);
        assertThat(RegistryClaims.refusalCode(ClaimOutcome.SUPERSEDED)).as("a session its client gave up")
                .isEqualTo(ErrorCode.SHUTDOWN);
    }

    @Test
    void aGrantHasNoRefusalCode() {
        for (ClaimOutcome granted : new ClaimOutcome[] {ClaimOutcome.WON, ClaimOutcome.RECLAIMED, ClaimOutcome.TOOK_OVER,
                ClaimOutcome.JOINED_POOL}) {
            assertThatThrownBy(() -> RegistryClaims.refusalCode(granted)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
