package dev.homeport.bench.jmh;

import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.frame.FrameType;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decoding 1 MiB of frames, arriving in socket reads of 64 KiB, while the DATA payloads of the
 * previous read are still held (as they are in the relay until their write completes). Compares
 * the cumulators and allocators the frame decoder could use; one operation is 1 MiB decoded.
 * Run: java -cp bench/target/homeport-bench.jar org.openjdk.jmh.Main FrameDecoderBenchmark
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameDecoderBenchmark {
    private static final int STREAM_BYTES = 1024 * 1024;
    private static final int READ_BYTES = 64 * 1024;
    /** The decoder's limit here: above every payload size measured. */
    private static final int MAX_PAYLOAD = 1024 * 1024;

    @Param({"65536", "1024"})
    int payload;

    @Param({"composite", "merge"})
    String cumulator;

    @Param({"adaptive", "pooled"})
    String allocator;

    private ByteBufAllocator alloc;
    private byte[] wire;
    private EmbeddedChannel channel;
    private final List<Frame> held = new ArrayList<>();

    @Setup
    public void setUp() {
        alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : new AdaptiveByteBufAllocator();
        ByteBuf out = Unpooled.buffer(STREAM_BYTES + Frame.HEADER_LENGTH + payload);
        byte[] body = new byte[payload];
        while (out.readableBytes() < STREAM_BYTES) {
            FrameEncoder.writeHeader(out, FrameType.DATA, 0, 1, payload);
            out.writeBytes(body);
        }
        wire = new byte[out.readableBytes()];
        out.readBytes(wire);
        out.release();
        FrameDecoder decoder = new FrameDecoder(MAX_PAYLOAD);
        if (cumulator.equals("merge")) {
            decoder.setCumulator(ByteToMessageDecoder.MERGE_CUMULATOR);
        }
        channel = new EmbeddedChannel(decoder);
        channel.config().setAllocator(alloc);
    }

    @Benchmark
    public int decodeOneMebibyte() {
        int frames = 0;
        for (int offset = 0; offset < wire.length; offset += READ_BYTES) {
            int n = Math.min(READ_BYTES, wire.length - offset);
            channel.writeInbound(alloc.directBuffer(n).writeBytes(wire, offset, n));
            releaseHeld(); // the previous read's payloads are written on by now
            for (Frame f; (f = channel.readInbound()) != null; ) {
                held.add(f);
                frames++;
            }
        }
        return frames;
    }

    private void releaseHeld() {
        for (Frame f : held) {
            f.release();
        }
        held.clear();
    }

    @TearDown
    public void tearDown() {
        releaseHeld();
        channel.finishAndReleaseAll();
    }
}
