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
 * protocols ({@code HTTP/1.1 101}). Its {@link AnswerCounter} counts the complete answers for a
 * refusal that waits its turn; {@code progress} hears when the count grows or ends. Called on the
 * session's loop.
 */
final class StreamAnswerWatch implements StreamHandler {
    private static final byte[] SWITCHING = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

    private final StreamHandler bridge;
    private final Runnable unanswered;
    private final AnswerCounter answers;
    private final Progress progress;

    /** Hears, on the session's loop, that answers were completed, or that no more will be counted. */
    interface Progress {
        /** @param over counting stopped, or the stream ended after an answer began */
        void answered(int total, boolean over);
    }
    private boolean answered;
    /** Set (on the public channel's loop) before an upgrade request is forwarded; hears the verdict once. */
    private volatile Consumer<Boolean> switchVerdict;
    private int matched;

    StreamAnswerWatch(StreamHandler bridge, Runnable unanswered, AnswerCounter answers, Progress progress) {
        this.bridge = bridge;
        this.unanswered = unanswered;
        this.answers = answers;
        this.progress = progress;
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
        if (answers.stopped()) {
            bridge.onData(data); // raw bytes after an upgrade: nothing more to count
            return;
        }
        ByteBuf view = data.retainedDuplicate(); // the bridge may write and release data before it is counted
        try {
            bridge.onData(data);
            if (answers.onData(view)) {
                // After the bridge queued the bytes, so that what this triggers on the channel follows them.
                progress.answered(answers.answered(), answers.stopped());
            }
        } finally {
            view.release();
        }
    }

    @Override
    public void onFlush() {
        bridge.onFlush();
    }

    @Override
    public void onRemoteFin() {
        answers.end();
        if (answered) {
            bridge.onRemoteFin();
            progress.answered(answers.answered(), true);
        } else {
            unanswered.run();
        }
    }

    @Override
    public void onClosed(ErrorCode code, String reason) {
        answers.end();
        if (answered) {
            bridge.onClosed(code, reason);
            progress.answered(answers.answered(), true);
        } else {
            unanswered.run();
        }
    }

    @Override
    public void onWritable() {
        bridge.onWritable();
    }
}
