package dev.homeport.server.tls.acme;

import dev.homeport.server.tunnel.HostName;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the CA's HTTP-01 check ({@code GET /.well-known/acme-challenge/TOKEN}) on the public HTTP
 * port, before host routing, for tokens of orders the relay itself has pending. Only the first
 * request of a connection is looked at (the CA opens a fresh one); anything else, including a
 * challenge path with a token the relay did not ask for (a service behind a tunnel may run its own
 * ACME client), passes on to the router, and this handler leaves the pipeline.
 */
public final class Http01ChallengeHandler extends ChannelInboundHandlerAdapter {
    static final String PREFIX = "/.well-known/acme-challenge/";
    private static final Logger log = LoggerFactory.getLogger(Http01ChallengeHandler.class);

    private final PendingChallenges pending;
    /** Answered: the rest of this request (its body parts) is dropped, and the connection closes. */
    private boolean answered;

    public Http01ChallengeHandler(PendingChallenges pending) {
        this.pending = pending;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (answered) {
            ReferenceCountUtil.release(msg);
            return;
        }
        String answer = msg instanceof HttpRequest request ? answerFor(request) : null;
        if (answer == null) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        answered = true;
        HttpRequest request = (HttpRequest) msg;
        ReferenceCountUtil.release(msg);
        log.info("event=acme_http01_answered host={}", HostName.fromHostHeader(request.headers().get(HttpHeaderNames.HOST, "")));
        // The public pipeline has no response encoder (services' answers pass through as bytes): written as bytes too.
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + answer.length()
                + "\r\nConnection: close\r\n\r\n";
        ByteBuf bytes = ByteBufUtil.writeAscii(ctx.alloc(), HttpMethod.HEAD.equals(request.method()) ? head : head + answer);
        ctx.writeAndFlush(bytes).addListener(ChannelFutureListener.CLOSE);
    }

    private String answerFor(HttpRequest request) {
        if (!request.decoderResult().isSuccess()
                || !(HttpMethod.GET.equals(request.method()) || HttpMethod.HEAD.equals(request.method()))
                || !request.uri().startsWith(PREFIX)) {
            return null;
        }
        String token = request.uri().substring(PREFIX.length());
        String host = HostName.fromHostHeader(request.headers().get(HttpHeaderNames.HOST, ""));
        return token.isEmpty() || host.isEmpty() ? null : pending.httpAnswer(host, token);
    }
}
