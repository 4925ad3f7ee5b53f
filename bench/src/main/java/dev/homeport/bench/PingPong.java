package dev.homeport.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.HdrHistogram.Histogram;

/**
 * Request/response latency on one echo connection with TCP_NODELAY: send a message, wait for all
 * of it to come back, record the round trip. Each message carries a sequence number that the echo
 * must return, so bytes crossed between streams are caught.
 */
final class PingPong implements Closeable {

    static final int MIN_SIZE = Long.BYTES;

    private final SocketChannel channel;
    private final ByteBuffer out;
    private final ByteBuffer in;
    private long sequence;

    private PingPong(SocketChannel channel, int size) {
        this.channel = channel;
        this.out = ByteBuffer.allocateDirect(size);
        this.in = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++) {
            out.put(i, (byte) i);
        }
    }

    static PingPong connect(Target target, int size, int connectTimeoutMillis) {
        if (size < MIN_SIZE) {
            throw new BenchFailure("message size must be at least " + MIN_SIZE + " bytes, got " + size, BenchFailure.USAGE);
        }
        PingPong p = new PingPong(Sockets.connect(target, connectTimeoutMillis, true), size);
        try {
            p.writeFully(ByteBuffer.wrap(new byte[] {FarEndMode.ECHO.code()}));
        } catch (IOException e) {
            Watchdog.closeQuietly(p);
            throw BenchFailure.io("sending the echo mode byte to " + target, e);
        }
        return p;
    }

    /**
     * Runs {@code count} round trips, recording each into {@code nanos} unless it is null (warm-up).
     * Stops early when the watchdog expires (even inside a blocked read); returns how many completed.
     */
    int run(int count, Histogram nanos, Watchdog watchdog) throws IOException {
        return run(count, nanos, watchdog, Long.MAX_VALUE);
    }

    /** As {@link #run(int, Histogram, Watchdog)}, also ending once {@code System.nanoTime()} passes {@code untilNanos}. */
    int run(int count, Histogram nanos, Watchdog watchdog, long untilNanos) throws IOException {
        for (int i = 0; i < count; i++) {
            if (watchdog.expired() || (untilNanos != Long.MAX_VALUE && System.nanoTime() - untilNanos > 0)) {
                return i;
            }
            long start = System.nanoTime();
            try {
                roundTrip();
            } catch (IOException e) {
                if (watchdog.expired()) {
                    return i; // the watchdog closed the socket under a blocked read: a timeout, not a failure
                }
                throw e;
            }
            long took = System.nanoTime() - start;
            if (nanos != null) {
                nanos.recordValue(took);
            }
        }
        return count;
    }

    private void roundTrip() throws IOException {
        long seq = ++sequence;
        out.clear();
        out.putLong(0, seq);
        writeFully(out);
        in.clear();
        while (in.hasRemaining()) {
            if (channel.read(in) < 0) {
                throw new EOFException("echo closed the connection after " + (seq - 1) + " round trips");
            }
        }
        long echoed = in.getLong(0);
        if (echoed != seq) {
            throw new IOException("echo returned message " + echoed + " where " + seq + " was expected");
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
