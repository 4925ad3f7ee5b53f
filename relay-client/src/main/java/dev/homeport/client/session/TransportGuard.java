package dev.homeport.client.session;

import dev.homeport.client.transport.RelayTrust;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * Last handler of the client's connection: turns what goes wrong below the session (proxy, TLS,
 * WebSocket upgrade) into one reason for the client, final for a certificate the user must check.
 */
final class TransportGuard extends ChannelInboundHandlerAdapter {
    private final SessionObserver observer;
    private boolean reported;

    TransportGuard(SessionObserver observer) {
        this.observer = observer;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent tls && !tls.isSuccess()) {
            fail(ctx, tls.cause());
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        if (!reported) {
            reported = true;
            RelayTrust.RejectedCertificate rejected = find(cause);
            if (rejected != null) {
                observer.transportFailed(rejected.getMessage(), true);
            } else {
                observer.transportFailed(describe(cause), false);
            }
        }
        ctx.close();
    }

    private static RelayTrust.RejectedCertificate find(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RelayTrust.RejectedCertificate r) {
                return r;
            }
        }
        return null;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root == t ? message : t.getClass().getSimpleName() + ": " + message;
    }
}
