package dev.homeport.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;

/**
 * One connection moving bulk data in one direction with 256 KiB direct-buffer reads and writes,
 * on a blocking channel driven by one platform thread. Progress is readable from other threads.
 */
final class BulkStream implements Closeable {

    static final int BUFFER = 256 * 1024;

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    private volatile long transferred;

    private BulkStream(SocketChannel channel) {
        this.channel = channel;
    }

    static BulkStream connect(Target target, int connectTimeoutMillis) {
        return new BulkStream(Sockets.connect(target, connectTimeoutMillis, false));
    }

    /** Bytes moved so far (for up: written to the socket; for down: read from it). */
    long transferred() {
        return transferred;
    }

    /**
     * Sends in sink mode until {@code maxBytes} were written or {@code stop} says so, half-closes,
     * and returns the count the far end confirms having received; fails if it differs.
     */
    long upload(long maxBytes, BooleanSupplier stop) throws IOException {
        writeFully(ByteBuffer.wrap(new byte[] {FarEndMode.SINK.code()}));
        fillPattern();
        long sent = 0;
        while (sent < maxBytes && !stop.getAsBoolean()) {
            int n = (int) Math.min(BUFFER, maxBytes - sent);
            buffer.clear().limit(n);
            writeFully(buffer);
            sent += n;
            transferred = sent;
        }
        channel.shutdownOutput();
        ByteBuffer count = ByteBuffer.allocate(Long.BYTES);
        readFully(count);
        long confirmed = count.flip().getLong();
        if (confirmed != sent) {
            throw new IOException("far end confirmed " + confirmed + " of " + sent + " bytes sent");
        }
        return sent;
    }

    /** Asks the far end to generate {@code bytes} and reads until it closes; fails on a short count. */
    long download(long bytes) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(1 + Long.BYTES).put(FarEndMode.GENERATE.code()).putLong(bytes);
        writeFully(request.flip());
        long received = 0;
        while (true) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                break;
            }
            received += n;
            transferred = received;
        }
        if (received != bytes) {
            throw new IOException("received " + received + " of " + bytes + " bytes before the far end closed");
        }
        return received;
    }

    /**
     * Asks the far end to generate more than will ever be read and reads until {@code stop} says so;
     * the caller then closes the connection. The far end's endless send keeps every queue on the way
     * back full, which is what a "behind a download" measurement needs.
     */
    long downloadUntil(BooleanSupplier stop) throws IOException {
        ByteBuffer request = ByteBuffer.allocate(1 + Long.BYTES).put(FarEndMode.GENERATE.code()).putLong(Long.MAX_VALUE);
        writeFully(request.flip());
        long received = 0;
        while (!stop.getAsBoolean()) {
            buffer.clear();
            int n = channel.read(buffer);
            if (n < 0) {
                throw new EOFException("far end closed after " + received + " bytes of an endless download");
            }
            received += n;
            transferred = received;
        }
        return received;
    }

    private void fillPattern() {
        buffer.clear();
        for (int i = 0; i < BUFFER; i++) {
            buffer.put((byte) (i * 31 + 7));
        }
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    private void readFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                throw new EOFException("far end closed before its byte count arrived");
            }
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
