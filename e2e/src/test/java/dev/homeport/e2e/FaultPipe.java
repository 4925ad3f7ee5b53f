package dev.homeport.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One direction of a {@link FaultProxy} link: a reader thread puts what it reads on a delay line, a
 * writer thread takes it off when it is due and writes it shaped by the current {@link LinkShape}.
 * An end of stream is passed on as a half-close after the bytes before it; a failure ends the link
 * with a reset. While dropping (black hole), everything read, end of stream included, is discarded
 * and nothing is written, but no socket is closed.
 */
final class FaultPipe {
    private static final int READ_CHUNK = 64 * 1024;
    /** Bytes read and not yet written: bounds memory, and exceeds the bandwidth-delay product of every test shape. */
    private static final int IN_FLIGHT = 32 << 20;
    private static final byte[] EOF = new byte[0];

    /** What the link does when this direction ends. */
    interface Ends {
        void halfClosed();

        void failed(IOException cause);
    }

    private record Chunk(byte[] bytes, long dueNanos) {
    }

    private final Socket from;
    private final Socket to;
    private final Supplier<LinkShape> shape;
    private final Ends ends;
    private final BlockingQueue<Chunk> line = new LinkedBlockingQueue<>();
    private final Semaphore room = new Semaphore(IN_FLIGHT);
    private volatile boolean dropping;
    private long nextSendNanos;

    FaultPipe(Socket from, Socket to, Supplier<LinkShape> shape, Ends ends) {
        this.from = from;
        this.to = to;
        this.shape = shape;
        this.ends = ends;
    }

    void start(ExecutorService threads) {
        threads.execute(this::readLoop);
        threads.execute(this::writeLoop);
    }

    /** From now on nothing passes, in either thread, and no end is reported: a black hole. */
    void drop() {
        dropping = true;
        line.clear();
        room.release(IN_FLIGHT); // a reader waiting for room must not stall: it has bytes to throw away
    }

    private void readLoop() {
        try {
            InputStream in = from.getInputStream();
            byte[] buf = new byte[READ_CHUNK];
            while (true) {
                int n = in.read(buf);
                if (dropping) {
                    if (n < 0) {
                        return;
                    }
                    continue;
                }
                long due = System.nanoTime() + shape.get().latency().toNanos();
                if (n < 0) {
                    line.put(new Chunk(EOF, due));
                    return;
                }
                room.acquire(n);
                line.put(new Chunk(Arrays.copyOf(buf, n), due));
            }
        } catch (IOException e) {
            if (!dropping) {
                ends.failed(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = to.getOutputStream();
            while (true) {
                Chunk c = line.take();
                if (dropping) {
                    continue;
                }
                sleepUntil(c.dueNanos());
                if (c.bytes() == EOF) {
                    to.shutdownOutput();
                    ends.halfClosed();
                    return;
                }
                write(out, c.bytes());
                room.release(c.bytes().length);
            }
        } catch (IOException e) {
            if (!dropping) {
                ends.failed(e);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void write(OutputStream out, byte[] bytes) throws IOException, InterruptedException {
        LinkShape s = shape.get();
        int off = 0;
        while (off < bytes.length && !dropping) {
            int n = bytes.length - off;
            if (s.maxSegment() > 0) {
                n = Math.min(n, 1 + ThreadLocalRandom.current().nextInt(s.maxSegment()));
            }
            if (s.bytesPerSecond() > 0) {
                // Paced in pieces of at most 10 ms each, so that the cap holds over short intervals too.
                n = (int) Math.min(n, Math.max(1, s.bytesPerSecond() / 100));
                long start = Math.max(System.nanoTime(), nextSendNanos);
                sleepUntil(start);
                nextSendNanos = start + n * 1_000_000_000L / s.bytesPerSecond();
            }
            out.write(bytes, off, n);
            off += n;
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long wait; (wait = nanoTime - System.nanoTime()) > 0; ) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(Math.min(wait, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }
}
