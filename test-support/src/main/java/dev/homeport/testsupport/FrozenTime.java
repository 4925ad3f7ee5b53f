package dev.homeport.testsupport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Embedded channels whose clock moves only by {@code advanceTimeBy}. An unfrozen embedded loop
 * follows the wall clock too, so "one millisecond before the deadline" is already past it when a
 * busy machine stalls the test for that long.
 */
public final class FrozenTime {
    private FrozenTime() {
    }

    /**
     * An active channel with {@code handlers}, its clock frozen before any of them could schedule a
     * task: they are added to the running channel, then told it is active.
     */
    public static EmbeddedChannel channel(ChannelHandler... handlers) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime(); // needs the event loop, which registration gives
        ch.pipeline().addLast(handlers);
        ch.pipeline().fireChannelActive();
        ch.runPendingTasks();
        return ch;
    }
}
