package dev.homeport.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Opens connections with at most {@code parallel} attempts in flight; each counts once its first
 * echo round trip succeeded. Stops starting new ones at the first failure, since the causes seen
 * at scale (no file descriptors, no ephemeral ports, a relay refusing) do not go away by retrying.
 */
final class ConnectionRamp {

    private final Bootstrap bootstrap;
    private final Target target;
    private final int total;
    private final int parallel;
    private final Channel[] channels;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final CountDownLatch settled = new CountDownLatch(1);
    private final Histogram openNanos = new SynchronizedHistogram(3);

    ConnectionRamp(NettyTransport transport, EventLoopGroup group, PathOptions path, int total, int parallel,
                   long echoTimeoutMillis) {
        AtomicLong ids = new AtomicLong();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, path.connectTimeoutMillis)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LiveProbe(ids.incrementAndGet(), echoTimeoutMillis));
                    }
                });
        this.target = path.target;
        this.total = total;
        this.parallel = Math.max(1, parallel);
        this.channels = new Channel[total];
    }

    void start() {
        int first = Math.min(parallel, total);
        inFlight.set(first);
        for (int i = 0; i < first; i++) {
            launchNextOrRetire();
        }
    }

    /** Waits until every attempt finished (or the ramp stopped at a failure); false on timeout. */
    boolean awaitSettled(long nanos) throws InterruptedException {
        return settled.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    int live() {
        return live.get();
    }

    Histogram openNanos() {
        return openNanos;
    }

    String failureDescription() {
        Throwable t = firstFailure.get();
        return t == null ? null : FileDescriptors.explain(t, live.get());
    }

    /** Runs one more echo round trip on every connection; returns how many answered in time. */
    int probeAll(long round, long nanos) throws InterruptedException {
        List<Future<Void>> probes = new ArrayList<>(total);
        for (Channel ch : channels) {
            if (ch != null) {
                probes.add(ch.pipeline().get(LiveProbe.class).probe(round));
            }
        }
        long deadline = System.nanoTime() + nanos;
        int ok = 0;
        for (Future<Void> f : probes) {
            if (f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS) && f.isSuccess()) {
                ok++;
            }
        }
        return ok;
    }

    private void launch(int index) {
        long begin = System.nanoTime();
        ChannelFuture connect = bootstrap.connect(target.address());
        channels[index] = connect.channel();
        connect.addListener(cf -> {
            if (!cf.isSuccess()) {
                finished(cf.cause());
                return;
            }
            connect.channel().pipeline().get(LiveProbe.class).probe(0).addListener(pf -> {
                if (pf.isSuccess()) {
                    openNanos.recordValue(System.nanoTime() - begin);
                    live.incrementAndGet();
                }
                finished(pf.cause());
            });
        });
    }

    private void finished(Throwable failure) {
        if (failure != null) {
            firstFailure.compareAndSet(null, failure);
        }
        launchNextOrRetire();
    }

    /** Each of the {@code parallel} slots takes the next index until none is left, then retires. */
    private void launchNextOrRetire() {
        int index = firstFailure.get() == null ? next.getAndIncrement() : total;
        if (index < total) {
            launch(index);
        } else if (inFlight.decrementAndGet() == 0) {
            settled.countDown();
        }
    }
}
