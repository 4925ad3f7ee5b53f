package dev.homeport.testsupport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An EmbeddedChannel for fuzz targets: every buffer its pipeline allocates comes from an allocator
 * that counts live bytes, so a buffer left unreleased by any input shows at {@link #close()} at once,
 * without waiting for the GC (the PARANOID leak detector still runs as everywhere else). Errors the
 * decoder documents are noted; any other exception is thrown to the fuzzer as a finding.
 */
public final class FuzzChannel implements AutoCloseable {
    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(false);
    private final EmbeddedChannel channel;
    private final Predicate<Throwable> documented;
    private Throwable error;

    /** @param documented the errors the pipeline may raise on bad input; anything else is a bug */
    public FuzzChannel(Predicate<Throwable> documented, ChannelHandler... handlers) {
        this.documented = documented;
        channel = new EmbeddedChannel(false, false);
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(handlers);
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the fuzz channel", e);
        }
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    /** Writes {@code bytes} as one read from the socket; nothing once the channel has closed. */
    public void write(byte[] bytes) {
        if (!channel.isOpen()) {
            return;
        }
        ByteBuf b = alloc.heapBuffer(bytes.length).writeBytes(bytes);
        try {
            channel.writeInbound(b);
        } catch (Throwable t) {
            noteOrThrow(t);
        }
    }

    /** Runs scheduled tasks (timeouts), as if time had passed. */
    public void runTasks() {
        try {
            channel.runPendingTasks();
            channel.checkException();
        } catch (Throwable t) {
            noteOrThrow(t);
        }
    }

    /** The first documented error the pipeline raised, or {@code null}. */
    public Throwable error() {
        return error;
    }

    /** Takes every message that came out of the pipeline's inbound side; the caller releases them. */
    public List<Object> inbound() {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = channel.readInbound()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** Takes every message the pipeline wrote; the caller releases them. */
    public List<Object> outbound() {
        List<Object> out = new ArrayList<>();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            out.add(m);
        }
        return out;
    }

    /** Bytes of buffers the pipeline allocated and has not released yet. */
    public long liveBytes() {
        return alloc.metric().usedHeapMemory() + alloc.metric().usedDirectMemory();
    }

    /** Closes the channel, releases what is left in its queues, and fails if any of its buffers is still live. */
    @Override
    public void close() {
        try {
            channel.finishAndReleaseAll();
        } catch (Throwable t) {
            noteOrThrow(t);
        }
        long live = liveBytes();
        if (live != 0) {
            throw new AssertionError(live + " bytes of buffers still live after the channel closed: a leak");
        }
    }

    private void noteOrThrow(Throwable t) {
        if (!documented.test(t)) {
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            throw new IllegalStateException(t);
        }
        if (error == null) {
            error = t;
        }
    }
}
