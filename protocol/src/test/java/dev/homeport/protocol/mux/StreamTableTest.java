package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.frame.FrameType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PROTOCOL.md, "Streams": who opens which ids, in which order, and how many at once. */
class StreamTableTest {
    private static final int RELAY = 1;
    private static final int CLIENT = 2;

    @Test
    void relayOpensOddIdsAndTheClientEvenOnes() {
        StreamTable relay = new StreamTable(RELAY, 10, 10);
        StreamTable client = new StreamTable(CLIENT, 10, 10);

        assertThat(relay.local().takeNextId()).isEqualTo(1);
        assertThat(relay.local().takeNextId()).isEqualTo(3);
        assertThat(client.local().takeNextId()).isEqualTo(2);
        assertThat(client.local().takeNextId()).isEqualTo(4);
        assertThat(relay.local().owns(5)).isTrue();
        assertThat(relay.remote().owns(5)).isFalse();
        assertThat(relay.remote().owns(6)).isTrue();
        assertThat(client.remote().owns(7)).isTrue();
    }

    @Test
    void idsPastTheLargestReadAsExhausted() {
        StreamTable nearTheEnd = new StreamTable(Integer.MAX_VALUE - 2, 10, 10);

        assertThat(nearTheEnd.remote().owns(2)).as("the peer keeps the other parity").isTrue();
        assertThat(nearTheEnd.local().takeNextId()).isEqualTo(Integer.MAX_VALUE - 2);
        assertThat(nearTheEnd.local().takeNextId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(nearTheEnd.local().takeNextId()).as("the id after 2^31-1").isNotPositive();
    }

    @Test
    void onlyIdsAlreadyTakenMayHaveBeenCreated() {
        StreamTable relay = new StreamTable(RELAY, 10, 10);
        relay.local().takeNextId();
        relay.local().takeNextId();

        assertThat(relay.local().mayHaveCreated(1)).isTrue();
        assertThat(relay.local().mayHaveCreated(3)).isTrue();
        assertThat(relay.local().mayHaveCreated(5)).isFalse();
        assertThat(relay.local().mayHaveCreated(-1)).as("unsigned, so beyond every id").isFalse();
    }

    @Test
    void thePeerOpensIncreasingIdsAndMaySkipSome() {
        StreamTable client = new StreamTable(CLIENT, 10, 10);
        client.remote().opened(1);
        client.remote().opened(7);

        assertThat(client.remote().mayHaveCreated(3)).as("skipped, still below the highest").isTrue();
        assertThat(client.remote().mayHaveCreated(7)).isTrue();
        assertThat(client.remote().mayHaveCreated(9)).isFalse();
        assertThatThrownBy(() -> client.remote().opened(7))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_ERROR))
                .hasMessage("OPEN reuses stream id 7");
        assertThatThrownBy(() -> client.remote().opened(5)).hasMessage("OPEN reuses stream id 5");
        client.remote().opened(9);
    }

    @Test
    void aFrameForAnIdNeverOpenedIsASessionError() {
        StreamTable client = new StreamTable(CLIENT, 10, 10);
        client.remote().opened(3);
        client.local().takeNextId();

        client.requireKnown(1, FrameType.DATA);
        client.requireKnown(3, FrameType.FIN);
        client.requireKnown(2, FrameType.RESET);
        assertThatThrownBy(() -> client.requireKnown(5, FrameType.DATA))
                .isInstanceOf(ProtocolException.class).hasMessage("DATA on stream 5, which was never opened");
        assertThatThrownBy(() -> client.requireKnown(4, FrameType.WINDOW_UPDATE))
                .hasMessage("WINDOW_UPDATE on stream 4, which was never opened");
    }

    @Test
    void eachSideOpensOnlyWithinItsLimitCountingEveryOpenStream() {
        StreamTable relay = new StreamTable(RELAY, 2, 3);
        MuxStream a = stream(relay, 1);
        MuxStream b = stream(relay, 2);

        relay.add(a);
        assertThat(relay.local().canOpen()).isTrue();
        relay.add(b);
        assertThat(relay.size()).isEqualTo(2);
        assertThat(relay.local().canOpen()).isFalse();
        assertThat(relay.remote().canOpen()).isTrue();

        assertThat(relay.remove(a)).isTrue();
        assertThat(relay.remove(a)).isFalse();
        assertThat(relay.local().canOpen()).isTrue();
        assertThat(relay.get(2)).isSameAs(b);
        assertThat(relay.get(1)).isNull();
        assertThat(relay.snapshot()).containsExactly(b);
    }

    private static MuxStream stream(StreamTable table, int id) {
        return new MuxStream(null, id, 0, new InboundFlow(ProtocolSettings.defaults(), (streamId, increment) -> { }).newStream(0));
    }
}
