package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static dev.homeport.protocol.mux.StreamState.Event.FIN_RECEIVED;
import static dev.homeport.protocol.mux.StreamState.Event.FIN_SENT;
import static dev.homeport.protocol.mux.StreamState.Event.OPENED;
import static dev.homeport.protocol.mux.StreamState.Event.RESET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Streams": half-close, reset, and when a stream is finished. */
class StreamStateTest {
    @Test
    void aStreamIsFinishedOnceBothSidesSentFinInEitherOrder() {
        assertThat(StreamState.OPEN.apply(FIN_SENT).apply(FIN_RECEIVED)).isEqualTo(StreamState.CLOSED);
        assertThat(StreamState.OPEN.apply(FIN_RECEIVED).apply(FIN_SENT)).isEqualTo(StreamState.CLOSED);
    }

    @Test
    void halfClosedStreamsCarryDataTheOtherWay() {
        assertThat(StreamState.OPEN.apply(FIN_SENT)).isEqualTo(StreamState.LOCAL_CLOSED);
        assertThat(StreamState.LOCAL_CLOSED.peerMaySend()).isTrue();
        assertThat(StreamState.OPEN.apply(FIN_RECEIVED)).isEqualTo(StreamState.REMOTE_CLOSED);
        assertThat(StreamState.REMOTE_CLOSED.peerMaySend()).isFalse();
        assertThat(StreamState.REMOTE_CLOSED.isClosed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(StreamState.class)
    void resetClosesFromAnyState(StreamState state) {
        assertThat(state.apply(RESET)).isEqualTo(StreamState.CLOSED);
    }

    @Test
    void onlyAnIdleStreamOpens() {
        assertThat(StreamState.IDLE.apply(OPENED)).isEqualTo(StreamState.OPEN);
        assertThat(StreamState.IDLE.peerMaySend()).isFalse();
        assertThatThrownBy(() -> StreamState.OPEN.apply(OPENED)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondFinEitherWayIsNotATransition() {
        assertThatThrownBy(() -> StreamState.REMOTE_CLOSED.apply(FIN_RECEIVED))
                .isInstanceOf(IllegalStateException.class).hasMessage("FIN_RECEIVED in state REMOTE_CLOSED");
        assertThatThrownBy(() -> StreamState.LOCAL_CLOSED.apply(FIN_SENT)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StreamState.CLOSED.apply(FIN_RECEIVED)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> StreamState.IDLE.apply(FIN_SENT)).isInstanceOf(IllegalStateException.class);
    }
}
