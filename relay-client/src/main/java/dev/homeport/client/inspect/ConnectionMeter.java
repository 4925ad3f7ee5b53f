package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

import java.util.List;

/**
 * A TLS passthrough connection, which the client cannot read: listed once per connection with its
 * byte counts and duration, when it closes.
 */
final class ConnectionMeter extends ChannelDuplexHandler {
    private final ExchangeRing ring;
    private final String tunnel;
    private final long startedAtMillis = System.currentTimeMillis();
    private final long startedNanos = System.nanoTime();
    private long in;
    private long out;

    ConnectionMeter(ExchangeRing ring, String tunnel) {
        this.ring = ring;
        this.tunnel = tunnel;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf b) {
            in += b.readableBytes();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b) {
            out += b.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        double ms = Math.round((System.nanoTime() - startedNanos) / 10_000.0) / 100.0;
        ring.publish(new Exchange(ring.nextId(), tunnel, "tls", startedAtMillis, "TLS", "(passthrough connection)", 0, "",
                ms, List.of(), List.of(), in, out, new byte[0], new byte[0], false, 0, 0, 0, Exchange.DONE));
        ctx.fireChannelInactive();
    }
}
