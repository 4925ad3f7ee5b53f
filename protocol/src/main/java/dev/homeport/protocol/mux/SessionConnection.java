package dev.homeport.protocol.mux;

import dev.homeport.protocol.frame.Frame;
import io.netty.buffer.ByteBufAllocator;

/**
 * What the session's parts need of the connection under them and of its event loop, and no more:
 * {@link MuxSession} gives them its channel's ({@link PipelineConnection}), a part's unit test a
 * recorder with a clock it moves by hand, so no part needs a channel to be tested.
 */
interface SessionConnection {
    ByteBufAllocator alloc();

    boolean isActive();

    /** Whether the connection takes more now (below its write-buffer high mark). */
    boolean isWritable();

    /** Writes {@code frame} without flushing; {@code whenWritten}, if not null, runs once it is on the wire or failed. */
    void write(Frame frame, Runnable whenWritten);

    void flush();

    /** Writes and flushes {@code frame} at once, ahead of nothing already written. */
    Written writeAndFlush(Frame frame);

    void close();

    /** Reads nothing more from the peer: the session is ending and what it would read changes nothing. */
    void stopReading();

    /** Tells the handlers after the session. */
    void fireUserEvent(Object event);

    // ---- the loop the connection runs on ----

    boolean inEventLoop();

    void execute(Runnable task);

    Timer schedule(Runnable task, long delayNanos);

    /** Runs {@code task} as soon as the loop runs its tasks, then every {@code periodNanos}. */
    Timer scheduleAtFixedRate(Runnable task, long periodNanos);

    /** The loop's clock: the system clock in production, one the test moves under test. */
    long nanoTime();

    /** A frame {@link #writeAndFlush} wrote. */
    interface Written {
        /** Closes the connection once the frame is on the wire (at once if it is already). */
        void thenClose();
    }

    interface Timer {
        void cancel();
    }
}
