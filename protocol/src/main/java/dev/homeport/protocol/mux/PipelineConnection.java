package dev.homeport.protocol.mux;

import dev.homeport.protocol.frame.Frame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * The {@link SessionConnection} of a {@link MuxSession} in a pipeline: its handler context, and the
 * channel settings the session owns (the write-buffer marks, reading paused or not).
 */
final class PipelineConnection implements SessionConnection {
    /**
     * Outbound bytes Netty may hold before the session stops framing more stream data. Smaller marks
     * cost throughput and barely shorten the wait of a small message behind a bulk one, which sits in
     * the kernel's buffers (docs/benchmarks.md, "Tuning knobs tried").
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(128 * 1024, 512 * 1024);

    private final ChannelHandlerContext ctx;

    PipelineConnection(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        ctx.channel().config().setWriteBufferWaterMark(WATER_MARK);
    }

    /** Pauses reading from the peer while answers cannot go out, as {@link AnswerBacklog} decides. */
    void updateReading(AnswerBacklog backlog, boolean closing) {
        if (backlog.updatePause(isWritable(), closing)) {
            ctx.channel().config().setAutoRead(!backlog.readsPaused()); // turning it back on asks for a read at once
        }
    }

    /** {@code promise}, or a new one if it is void, with {@code whenWritten} run once it completes. */
    ChannelPromise whenWritten(ChannelPromise promise, Runnable whenWritten) {
        ChannelPromise p = promise.isVoid() ? ctx.newPromise() : promise;
        p.addListener(f -> whenWritten.run());
        return p;
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public boolean isActive() {
        return ctx.channel().isActive();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable();
    }

    @Override
    public void write(Frame frame, Runnable whenWritten) {
        ctx.write(frame, whenWritten == null ? ctx.voidPromise() : whenWritten(ctx.voidPromise(), whenWritten));
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public Written writeAndFlush(Frame frame) {
        ChannelFuture written = ctx.writeAndFlush(frame);
        return () -> written.addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void close() {
        ctx.close();
    }

    @Override
    public void stopReading() {
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void fireUserEvent(Object event) {
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public boolean inEventLoop() {
        return ctx.executor().inEventLoop();
    }

    @Override
    public void execute(Runnable task) {
        ctx.executor().execute(task);
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        ScheduledFuture<?> f = ctx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public Timer scheduleAtFixedRate(Runnable task, long periodNanos) {
        ScheduledFuture<?> f = ctx.executor().scheduleAtFixedRate(task, 0, periodNanos, TimeUnit.NANOSECONDS);
        return () -> f.cancel(false);
    }

    @Override
    public long nanoTime() {
        return ctx.channel().eventLoop().ticker().nanoTime();
    }
}
