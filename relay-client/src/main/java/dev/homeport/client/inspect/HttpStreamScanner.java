package dev.homeport.client.inspect;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Follows one direction of an HTTP/1.x connection without touching its bytes: it reads the buffers
 * in place (indexes only, no reader index moved, nothing retained), copies only each message head,
 * and skips bodies by counting, handing the listener each body span so it can keep a bounded preview.
 * After a 101 it counts WebSocket frames by their headers. What it cannot follow (a head over
 * {@link InspectSettings#MAX_HEAD_BYTES}, a bad chunk size) it stops following; the bytes still pass.
 */
final class HttpStreamScanner {
    /** What the scanner saw; called on the connection's event loop. */
    interface Listener {
        /** A whole head arrived; returns how its body is framed (the scanner's guess is {@code framing}). */
        HttpHead.Framing onHead(HttpHead head, HttpHead.Framing framing);

        /** {@code length} body bytes of the current message at {@code index} of {@code buf}; valid only during the call. */
        void onBody(ByteBuf buf, int index, int length);

        /** The current message ended. */
        void onEnd();

        /** One more WebSocket frame passed, after an upgrade. */
        void onFrame();
    }

    private enum State { HEAD, LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, UPGRADED, LOST }

    private static final int MAX_LINE = 1024;

    private final boolean response;
    private final Listener listener;
    private final WebSocketFrameCounter frames;
    private State state = State.HEAD;
    private byte[] head = new byte[512];
    private int headLength;
    private long remaining;
    private final StringBuilder line = new StringBuilder();

    HttpStreamScanner(boolean response, Listener listener) {
        this.response = response;
        this.listener = listener;
        this.frames = new WebSocketFrameCounter(listener::onFrame);
    }

    /** Looks at the readable bytes of {@code buf}; leaves its indexes and reference count as they were. */
    void scan(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            switch (state) {
                case HEAD -> i = head(buf, i, end);
                case LENGTH, CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    listener.onBody(buf, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        if (state == State.LENGTH) {
                            finish();
                        } else {
                            state = State.CHUNK_END;
                        }
                    }
                }
                case CHUNK_SIZE, CHUNK_END, TRAILERS -> i = line(buf, i, end);
                case UNTIL_CLOSE -> {
                    listener.onBody(buf, i, end - i);
                    i = end;
                }
                case UPGRADED -> {
                    frames.scan(buf, i, end);
                    i = end;
                }
                case LOST -> i = end;
            }
        }
    }

    /** The other direction saw a 101: from here on this one carries WebSocket frames too. */
    void upgrade() {
        state = State.UPGRADED;
    }

    /** The connection closed: a body that runs until close ends here. */
    void closed() {
        if (state == State.UNTIL_CLOSE) {
            finish();
        }
    }

    private int head(ByteBuf buf, int i, int end) {
        if (headLength == 0) {
            // Empty lines before a message are allowed (RFC 9112 section 2.2).
            while (i < end && (buf.getByte(i) == '\r' || buf.getByte(i) == '\n')) {
                i++;
            }
        }
        while (i < end) {
            // Bulk: find the next LF, copy up to it, and only then look at what ends the line.
            int lf = buf.forEachByte(i, end - i, ByteProcessor.FIND_LF);
            int stop = lf < 0 ? end : lf + 1;
            int n = stop - i;
            if (headLength + n > head.length) {
                if (headLength + n > InspectSettings.MAX_HEAD_BYTES) {
                    state = State.LOST;
                    return end;
                }
                head = java.util.Arrays.copyOf(head, Math.min(Math.max(head.length * 2, headLength + n), InspectSettings.MAX_HEAD_BYTES));
            }
            buf.getBytes(i, head, headLength, n);
            headLength += n;
            i = stop;
            if (lf >= 0 && endsHead()) {
                HttpHead parsed = parse();
                headLength = 0;
                if (parsed == null) {
                    state = State.LOST;
                    return end;
                }
                startBody(parsed);
                return i;
            }
        }
        return i;
    }

    private boolean endsHead() {
        int n = headLength;
        return (n >= 2 && head[n - 2] == '\n') || (n >= 4 && head[n - 2] == '\r' && head[n - 3] == '\n');
    }

    private void startBody(HttpHead parsed) {
        HttpHead.Framing framing = listener.onHead(parsed, parsed.framing(response));
        switch (framing) {
            case NONE -> finish();
            case LENGTH -> {
                remaining = parsed.contentLength();
                state = State.LENGTH;
                if (remaining == 0) {
                    finish();
                }
            }
            case CHUNKED -> state = State.CHUNK_SIZE;
            case UNTIL_CLOSE -> state = State.UNTIL_CLOSE;
            case UPGRADE -> state = State.UPGRADED;
        }
    }

    private void finish() {
        state = State.HEAD;
        listener.onEnd();
    }

    /** Chunk size lines, the CRLF after chunk data, and trailer lines. */
    private int line(ByteBuf buf, int i, int end) {
        while (i < end) {
            byte b = buf.getByte(i++);
            if (b != '\n') {
                if (line.length() >= MAX_LINE) {
                    state = State.LOST;
                    return end;
                }
                line.append((char) (b & 0xff));
                continue;
            }
            String text = line.toString().strip();
            line.setLength(0);
            switch (state) {
                case CHUNK_END -> state = State.CHUNK_SIZE;
                case CHUNK_SIZE -> {
                    int semicolon = text.indexOf(';');
                    try {
                        remaining = Long.parseLong(semicolon < 0 ? text : text.substring(0, semicolon).strip(), 16);
                    } catch (NumberFormatException e) {
                        state = State.LOST;
                        return end;
                    }
                    state = remaining == 0 ? State.TRAILERS : State.CHUNK_DATA;
                }
                case TRAILERS -> {
                    if (text.isEmpty()) {
                        finish();
                    }
                }
                default -> throw new IllegalStateException("not a line state: " + state);
            }
            return i;
        }
        return i;
    }

    /** Splits the head into lines by hand: no regular expression on the data path. */
    private HttpHead parse() {
        int lineEnd = lineEnd(0);
        String startLine = new String(head, 0, trimCr(0, lineEnd), StandardCharsets.ISO_8859_1);
        String[] start = startLine.split(" ", 3);
        if (start.length < 2) {
            return null;
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(16);
        int at = lineEnd + 1;
        while (at < headLength) {
            int e = lineEnd(at);
            int len = trimCr(at, e);
            if (len == 0) {
                break;
            }
            int colon = -1;
            for (int k = at; k < at + len; k++) {
                if (head[k] == ':') {
                    colon = k;
                    break;
                }
            }
            if (colon > at) {
                headers.add(Map.entry(new String(head, at, colon - at, StandardCharsets.ISO_8859_1).strip(),
                        new String(head, colon + 1, at + len - colon - 1, StandardCharsets.ISO_8859_1).strip()));
            }
            at = e + 1;
        }
        return new HttpHead(start[0], start[1], start.length > 2 ? start[2] : "", headers, headLength);
    }

    private int lineEnd(int from) {
        for (int k = from; k < headLength; k++) {
            if (head[k] == '\n') {
                return k;
            }
        }
        return headLength;
    }

    /** The length of the line from {@code from} to {@code lf}, without a CR before the LF. */
    private int trimCr(int from, int lf) {
        int len = lf - from;
        return len > 0 && head[lf - 1] == '\r' ? len - 1 : len;
    }
}
