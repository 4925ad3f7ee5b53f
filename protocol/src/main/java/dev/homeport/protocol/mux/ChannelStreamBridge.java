package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * Pumps bytes between one socket and one stream, in both directions, with backpressure:
 * the socket is read only when the stream asks ({@link #onWritable}), and credit goes back to the
 * peer only once a write to the socket has completed. A half-close on either side becomes a
 * half-close on the other; any other end of one side resets the other.
 *
 * <p>The session calls the {@link StreamHandler} methods on its loop; each hops to this channel's loop.
 */
public final class ChannelStreamBridge extends ChannelInboundHandlerAdapter implements StreamHandler {
    private static final Logger log = LoggerFactory.getLogger(ChannelStreamBridge.class);

    private final MuxStream stream;
    private final EventLoop loop;
    private final StreamTraffic traffic;
    private ChannelHandlerContext ctx;
    private boolean inputDone;
    private boolean outputDone;
    private boolean streamClosed;

    /** @param loop the event loop of the channel this bridge will be added to */
    public ChannelStreamBridge(MuxStream stream, EventLoop loop) {
        this(stream, loop, StreamTraffic.NONE);
    }

    /** @param traffic told the size of every socket read and completed socket write */
    public ChannelStreamBridge(MuxStream stream, EventLoop loop, StreamTraffic traffic) {
        this.stream = stream;
        this.loop = loop;
        this.traffic = traffic;
    }

    /**
     * Options every bridged socket needs: reads only on demand, half-close seen as an event, no
     * Nagle delay, and reads of 64 KiB growing to 1 MiB, one read per demand so credit bounds them.
     */
    public static void configure(ChannelConfig config) {
        config.setAutoRead(false);
        config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        config.setOption(ChannelOption.TCP_NODELAY, true);
        config.setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(1024, 64 * 1024, 1024 * 1024).maxMessagesPerRead(1));
    }

    public MuxStream stream() {
        return stream;
    }

    // ---- socket to stream ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf data && !streamClosed) {
            traffic.fromSocket(data.readableBytes());
            stream.write(data);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputDone = true;
            stream.shutdownOutput();
            closeIfDone();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!streamClosed && !(inputDone && outputDone)) {
            streamClosed = true;
            stream.reset(ErrorCode.CANCELLED);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("event=socket_error stream={} reason=\"{}\"", stream.id(), cause.toString());
        } else {
            log.warn("event=bridge_error stream={}", stream.id(), cause);
        }
        ctx.close();
    }

    // ---- stream to socket ----

    @Override
    public void onData(ByteBuf data) {
        if (loop.inEventLoop()) {
            deliver(data);
        } else {
            loop.execute(() -> deliver(data));
        }
    }

    private void deliver(ByteBuf data) {
        if (streamClosed || outputDone) {
            data.release();
            return;
        }
        int bytes = data.readableBytes();
        ctx.write(data).addListener(f -> {
            if (f.isSuccess()) {
                traffic.toSocket(bytes);
            }
            stream.consumed(bytes);
        });
    }

    @Override
    public void onFlush() {
        inLoop(() -> ctx.flush());
    }

    @Override
    public void onRemoteFin() {
        inLoop(() -> {
            if (streamClosed) {
                return;
            }
            // Shutting the output down fails writes still queued, so it waits for the last one.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput().addListener(done -> {
                        outputDone = true;
                        closeIfDone();
                    });
                }
            });
        });
    }

    @Override
    public void onClosed(ErrorCode code, String reason) {
        inLoop(() -> {
            streamClosed = true;
            Channel ch = ctx.channel();
            if (ch.isActive()) {
                log.debug("event=stream_closed stream={} code={} reason=\"{}\"", stream.id(), code, reason);
                if (code != ErrorCode.NO_ERROR) {
                    // An abnormal end travels on as a TCP reset, so the far socket sees an error, not a clean EOF.
                    ch.config().setOption(ChannelOption.SO_LINGER, 0);
                }
                ch.close();
            }
        });
    }

    @Override
    public void onWritable() {
        inLoop(() -> {
            // After EOF there is nothing to read, and epoll refuses to re-arm a shut input.
            if (!inputDone && ctx.channel().isActive()) {
                ctx.read();
            }
        });
    }

    private void closeIfDone() {
        if (inputDone && outputDone) {
            streamClosed = true;
            ctx.close();
        }
    }

    private void inLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
