package dev.homeport.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Counts the service's complete answers on one stream, so that a refusal the relay owes a pipelined
 * request goes out only after the answers to the requests forwarded before it. It frames the bytes
 * with Netty's response decoder, which is told each forwarded request's method (a HEAD answer has no
 * body), and never changes or holds them: each call reads a view of the data and keeps at most the
 * unfinished line of a head, copied. Interim (1xx) answers do not count. Counting stops for good once
 * the service switches protocols (101, or 2xx to CONNECT) or sends something that is not HTTP/1.1.
 * {@link #expect} is called on the public channel's loop, the rest on the session's.
 */
final class AnswerCounter {
    /** The most of a head line kept between two reads; a longer one stops the count. */
    private static final int MAX_PARTIAL_LINE = 64 * 1024;
    private static final byte[] NONE = new byte[0];

    /** Methods of the forwarded requests not answered yet, oldest first. */
    private final Queue<HttpMethod> methods = new ConcurrentLinkedQueue<>();
    private final Decoder decoder = new Decoder();
    private final List<Object> out = new ArrayList<>(4);
    private byte[] partial = NONE;
    private boolean interim;
    private boolean stopped;
    private boolean released;
    private int answered;

    /** A request with {@code method} goes to the service now: its answer comes after those before it. */
    void expect(HttpMethod method) {
        methods.add(method);
    }

    /** How many answers are complete. */
    int answered() {
        return answered;
    }

    /** Whether counting has stopped: the stream is no longer HTTP/1.1 answers. */
    boolean stopped() {
        return stopped;
    }

    /** Reads {@code data} without consuming or releasing it; returns whether an answer was completed or counting stopped. */
    boolean onData(ByteBuf data) {
        if (stopped || !data.isReadable()) {
            return false;
        }
        int before = answered;
        boolean joined = partial.length > 0; // then the input is a composite of its own, released here
        ByteBuf in = joined ? Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(partial), data.retainedDuplicate()) : data.duplicate();
        try {
            while (in.isReadable() && !stopped) {
                int readable = in.readableBytes();
                decoder.decodeSome(in, out);
                boolean progressed = !out.isEmpty() || in.readableBytes() != readable;
                count();
                if (!progressed) {
                    break;
                }
            }
            partial = stopped || !in.isReadable() ? NONE : ByteBufUtil.getBytes(in);
            if (partial.length > MAX_PARTIAL_LINE) {
                stop();
            }
        } catch (Exception e) {
            stop(); // the decoder reports bad input in its results; anything else ends the count just the same
        } finally {
            out.forEach(ReferenceCountUtil::release);
            out.clear();
            if (joined) {
                in.release();
            }
            if (stopped) {
                end();
            }
        }
        return answered != before || stopped;
    }

    private void count() {
        for (Object m : out) {
            if (m instanceof HttpObject o && o.decoderResult().isFailure()) {
                stop();
                return;
            }
            if (m instanceof HttpResponse response) {
                int code = response.status().code();
                if (code == 101) {
                    stop();
                    return;
                }
                interim = response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            }
            if (m instanceof LastHttpContent && !stopped) {
                if (!interim) {
                    answered++;
                    methods.poll();
                }
                interim = false;
            }
        }
        out.forEach(ReferenceCountUtil::release);
        out.clear();
    }

    private void stop() {
        stopped = true;
        partial = NONE;
    }

    /** The stream ended, or counting stopped: the decoder lets go of its line buffer. Outside a decode only. */
    void end() {
        stopped = true;
        partial = NONE;
        if (!released) {
            released = true;
            decoder.release();
        }
    }

    /** Netty's response decoder, driven by hand, told which answers have no body. */
    private final class Decoder extends HttpResponseDecoder {
        Decoder() {
            super(new HttpDecoderConfig().setMaxInitialLineLength(MAX_PARTIAL_LINE).setMaxHeaderSize(MAX_PARTIAL_LINE)
                    .setMaxChunkSize(1 << 20));
        }

        void decodeSome(ByteBuf in, List<Object> into) throws Exception {
            decode(null, in, into); // HttpObjectDecoder does not use the context
        }

        void release() {
            try {
                handlerRemoved0(null); // frees the decoder's line buffer; uses no context either
            } catch (Exception e) {
                throw new IllegalStateException("the response decoder did not let go of its buffer", e);
            }
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (msg instanceof HttpResponse response && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
                HttpMethod method = methods.peek();
                if (HttpMethod.HEAD.equals(method)) {
                    return true;
                }
                if (HttpMethod.CONNECT.equals(method) && response.status().codeClass() == HttpStatusClass.SUCCESS) {
                    stop(); // a tunnel: what follows is not HTTP
                    return true;
                }
            }
            return super.isContentAlwaysEmpty(msg);
        }
    }
}
