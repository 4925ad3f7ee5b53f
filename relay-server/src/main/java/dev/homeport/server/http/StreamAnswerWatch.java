package dev.homeport.server.http;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.StreamHandler;
import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Stands between a stream and its socket bridge and watches how the service's answers begin, without
 * changing a byte. A stream that ends before the service sent anything (its client refused it because
 * the local service is down, the service closed without answering, the session went away) goes to
 * {@code unanswered}, which answers 502, instead of the bridge cutting the connection without a word.
 * After an upgrade request, the first bytes of the next answer tell whether the service switched
 * protocols ({@code HTTP/1.1 101}). Called on the session's loop.
 */
final class StreamAnswerWatch implements StreamHandler {
    private static final byte[] SWITCHING = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

    private final StreamHandler bridge;
    private final Runnable unanswered;
    private boolean answered;
    /** Set (on the public channel's loop) before an upgrade request is forwarded; hears the verdict once. */
    private volatile Consumer<Boolean> switchVerdict;
    private int matched;

    StreamAnswerWatch(StreamHandler bridge, Runnable unanswered) {
        this.bridge = bridge;
        this.unanswered = unanswered;
    }

    /** The next answer is to an upgrade request: tell {@code verdict} whether it switches protocols. */
    void expectSwitch(Consumer<Boolean> verdict) {
        matched = 0;
        switchVerdict = verdict;
    }

    @Override
    public void onData(ByteBuf data) {
        answered = true;
        Consumer<Boolean> verdict = switchVerdict;
        if (verdict != null) {
            int i = data.readerIndex();
            while (matched < SWITCHING.length && i < data.writerIndex() && data.getByte(i) == SWITCHING[matched]) {
                matched++;
                i++;
            }
            boolean mismatch = matched < SWITCHING.length && i < data.writerIndex();
            if (mismatch || matched == SWITCHING.length) {
                switchVerdict = null;
                verdict.accept(!mismatch);
            }
        }
        bridge.onData(data);
    }

    @Override
    public void onFlush() {
        bridge.onFlush();
    }

    @Override
    public void onRemoteFin() {
        if (answered) {
            bridge.onRemoteFin();
        } else {
            unanswered.run();
        }
    }

    @Override
    public void onClosed(ErrorCode code, String reason) {
        if (answered) {
            bridge.onClosed(code, reason);
        } else {
            unanswered.run();
        }
    }

    @Override
    public void onWritable() {
        bridge.onWritable();
    }
}
