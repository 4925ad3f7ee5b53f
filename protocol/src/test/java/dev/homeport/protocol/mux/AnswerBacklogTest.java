package dev.homeport.protocol.mux;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** PROTOCOL.md, "Answers to a peer that does not read", the decisions alone. */
class AnswerBacklogTest {
    @Test
    void passingTheLimitFloodsOnceAndOnlyUntilItIsOnTheWire() {
        AnswerBacklog backlog = new AnswerBacklog(100, 8, true);

        assertThat(backlog.written(60, false)).isFalse();
        assertThat(backlog.written(40, false)).as("at the limit, not past it").isFalse();
        backlog.onWire(60);
        assertThat(backlog.written(60, false)).isFalse();
        assertThat(backlog.written(1, false)).isTrue();
        assertThat(backlog.written(1, false)).as("once").isFalse();
        assertThat(backlog.flooding()).isTrue();
        assertThat(backlog.bytes()).isEqualTo(102);
    }

    @Test
    void aClosingSessionDoesNotFlood() {
        AnswerBacklog backlog = new AnswerBacklog(10, 8, true);

        assertThat(backlog.written(11, true)).isFalse();
        assertThat(backlog.flooding()).isFalse();
    }

    @Test
    void readsPauseWhileTooManyBindsWaitForTheirAnswer() {
        AnswerBacklog backlog = new AnswerBacklog(100, 2, false);
        backlog.bindRead();
        assertThat(backlog.updatePause(true, false)).isFalse();
        backlog.bindRead();

        assertThat(backlog.updatePause(true, false)).isTrue();
        assertThat(backlog.readsPaused()).isTrue();
        assertThat(backlog.bindAnswered()).isTrue();
        assertThat(backlog.updatePause(true, false)).isTrue();
        assertThat(backlog.readsPaused()).isFalse();
    }

    @Test
    void anAnswerWithoutAWaitingBindChangesNothing() {
        AnswerBacklog backlog = new AnswerBacklog(100, 1, false);

        assertThat(backlog.bindAnswered()).isFalse();
        backlog.bindRead();
        assertThat(backlog.updatePause(true, false)).as("one BIND already reaches a limit of 1").isTrue();
    }

    @Test
    void onlyASideSetToDoSoPausesWhileTheConnectionIsNotWritable() {
        AnswerBacklog relay = new AnswerBacklog(100, 8, true);
        AnswerBacklog client = new AnswerBacklog(100, 8, false);

        assertThat(relay.updatePause(false, false)).isTrue();
        assertThat(relay.readsPaused()).isTrue();
        assertThat(client.updatePause(false, false)).isFalse();
        assertThat(relay.updatePause(true, false)).isTrue();
        assertThat(relay.readsPaused()).isFalse();
    }

    @Test
    void nothingChangesOnceTheSessionIsClosing() {
        AnswerBacklog backlog = new AnswerBacklog(100, 8, true);

        assertThat(backlog.updatePause(false, true)).isFalse();
        assertThat(backlog.readsPaused()).isFalse();
    }
}
