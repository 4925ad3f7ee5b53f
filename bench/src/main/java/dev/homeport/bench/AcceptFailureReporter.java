package dev.homeport.bench;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Sits after Netty's acceptor on the listening channel and turns accept failures (typically EMFILE)
 * into at most one stderr line per second, instead of a logged stack trace per attempt. The acceptor
 * has already paused accepting for a second before the failure reaches here.
 */
final class AcceptFailureReporter extends ChannelInboundHandlerAdapter {

    private final IntSupplier openConnections;
    private long lastReportNanos = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
    private long suppressed;

    AcceptFailureReporter(IntSupplier openConnections) {
        this.openConnections = openConnections;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        long now = System.nanoTime();
        if (now - lastReportNanos < TimeUnit.SECONDS.toNanos(1)) {
            suppressed++;
            return;
        }
        lastReportNanos = now;
        String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        String hint = reason.contains("Too many open files") ? "; raise `ulimit -n` for serve" : "";
        System.err.printf("serve: accept failed open_connections=%d reason=\"%s\" suppressed=%d%s%n",
                openConnections.getAsInt(), reason, suppressed, hint);
        suppressed = 0;
    }
}
