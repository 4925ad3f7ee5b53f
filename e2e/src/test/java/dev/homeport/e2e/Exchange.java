package dev.homeport.e2e;

import dev.homeport.e2e.Payload.Transfer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

/**
 * The conversation the data tests hold over one stream. The public side sends a header (id, upload
 * and download sizes, seed), then both sides send their payload at the same time, each half-closing
 * when done and reading until the other's end of stream. Each side reports what it sent and
 * received, so a test compares the two ends byte-for-byte by digest.
 */
final class Exchange {
    static final int HEADER_BYTES = 4 + 8 + 8 + 8;
    static final Duration GATE_TIMEOUT = Duration.ofSeconds(30);

    /** One stream's sizes, chosen by the test. */
    record Plan(int id, long upload, long download, long seed) {
        long uploadSeed() {
            return seed * 31 + 1;
        }

        long downloadSeed() {
            return seed * 31 + 2;
        }
    }

    /** What one end sent and received. */
    record Outcome(Plan plan, Transfer sent, Transfer received) {
    }

    private Exchange() {
    }

    /**
     * The public side: sends the header, waits at {@code gate} (so that many streams are open at
     * once before any payload moves), then uploads while downloading.
     */
    static Outcome asPublicClient(Socket socket, Plan plan, CountDownLatch gate) throws Exception {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(plan.id());
        out.writeLong(plan.upload());
        out.writeLong(plan.download());
        out.writeLong(plan.seed());
        out.flush();
        await(gate, "every stream to reach the local service");
        FutureTask<Transfer> upload = inThread("upload-" + plan.id(), () -> {
            Transfer sent = Payload.write(socket.getOutputStream(), plan.uploadSeed(), plan.upload());
            socket.shutdownOutput();
            return sent;
        });
        Transfer received = Payload.readToEnd(socket.getInputStream());
        return new Outcome(plan, join(upload), received);
    }

    /**
     * The local side, as a {@link LocalService.Behaviour}: reads the header, counts down {@code gate}
     * and waits for it, then downloads while receiving the upload; records its outcome by stream id.
     */
    static LocalService.Behaviour localService(Map<Integer, Outcome> outcomes, CountDownLatch gate) {
        return socket -> {
            Plan plan = readHeader(socket);
            gate.countDown();
            await(gate, "every stream to reach the local service");
            outcomes.put(plan.id(), serve(socket, plan));
        };
    }

    static Plan readHeader(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        return new Plan(in.readInt(), in.readLong(), in.readLong(), in.readLong());
    }

    /** The local side's half once the header is read. */
    static Outcome serve(Socket socket, Plan plan) throws Exception {
        FutureTask<Transfer> download = inThread("download-" + plan.id(), () -> {
            Transfer sent = Payload.write(socket.getOutputStream(), plan.downloadSeed(), plan.download());
            socket.shutdownOutput();
            return sent;
        });
        Transfer received = Payload.readToEnd(socket.getInputStream());
        return new Outcome(plan, join(download), received);
    }

    /** Runs {@code task} on a thread of its own: the second direction of a blocking socket. */
    static <T> FutureTask<T> inThread(String name, Callable<T> task) {
        FutureTask<T> f = new FutureTask<>(task);
        Thread t = new Thread(f, name);
        t.setDaemon(true);
        t.start();
        return f;
    }

    /** How long one direction may still take once the other is done; long demonstration runs raise it. */
    private static final long JOIN_SECONDS = Long.getLong("homeport.e2e.joinSeconds", 60);

    static <T> T join(FutureTask<T> f) throws Exception {
        try {
            return f.get(JOIN_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private static void await(CountDownLatch gate, String what) throws InterruptedException {
        if (!gate.await(GATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("gave up waiting for " + what + ": " + gate.getCount() + " missing");
        }
    }
}
