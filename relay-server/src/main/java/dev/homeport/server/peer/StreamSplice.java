package dev.homeport.server.peer;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.mux.MuxStream;
import dev.homeport.protocol.mux.StreamHandler;
import dev.homeport.protocol.mux.StreamTraffic;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

import java.util.ArrayDeque;

/**
 * Joins two streams of two sessions (a peer link's and a client's) into one, with the flow control
 * of both kept end to end: bytes read from one stream are written to the other only when that one
 * asks for more ({@link StreamHandler#onWritable}), and only then is their credit returned to the
 * first, so a slow reader at either end slows the writer at the other instead of filling memory
 * here. A FIN crosses after the bytes before it; a reset or a lost session on either side resets
 * the other stream with the same code.
 *
 * <p>Both sessions call in on their own loops; all state lives on {@code loop}, the others hop.
 */
final class StreamSplice {
    private final EventLoop loop;
    private final StreamTraffic traffic;
    private final MuxStream peer;
    private MuxStream client;
    /** Peer stream to client stream: what the public side sent. */
    private final Direction inbound = new Direction(true);
    /** Client stream to peer stream: what the service answered. */
    private final Direction outbound = new Direction(false);
    private boolean cut;

    /**
     * @param peer    the peer link's stream
     * @param loop    its session's loop, where the splice lives
     * @param traffic told the bytes each way: {@code fromSocket} toward the client, {@code toSocket} toward the peer
     */
    StreamSplice(MuxStream peer, EventLoop loop, StreamTraffic traffic) {
        this.peer = peer;
        this.loop = loop;
        this.traffic = traffic;
    }

    /** The handler of the peer link's stream. */
    StreamHandler peerEnd() {
        return new End(inbound, outbound);
    }

    /** The handler of the client session's stream. */
    StreamHandler clientEnd(MuxStream stream) {
        this.client = stream;
        return new End(outbound, inbound);
    }

    /** One direction: bytes read from {@code source}, waiting until {@code sink} asks for them. */
    private final class Direction {
        private final boolean towardClient;
        private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
        private boolean sinkWants;
        private boolean sourceFinished;
        private boolean finSent;
        private boolean pumping;

        Direction(boolean towardClient) {
            this.towardClient = towardClient;
        }

        MuxStream source() {
            return towardClient ? peer : client;
        }

        MuxStream sink() {
            return towardClient ? client : peer;
        }

        void pump() {
            if (pumping || cut) {
                return; // a write may ask for more at once, from inside this loop: the loop below takes it
            }
            pumping = true;
            try {
                while (sinkWants && !queue.isEmpty()) {
                    sinkWants = false;
                    ByteBuf data = queue.poll();
                    int bytes = data.readableBytes();
                    if (towardClient) {
                        traffic.fromSocket(bytes);
                    } else {
                        traffic.toSocket(bytes);
                    }
                    sink().write(data);
                    source().consumed(bytes);
                }
                if (sourceFinished && queue.isEmpty() && !finSent) {
                    finSent = true;
                    sink().shutdownOutput();
                }
            } finally {
                pumping = false;
            }
        }

        void release() {
            for (ByteBuf b; (b = queue.poll()) != null; ) {
                b.release();
            }
        }
    }

    /** One stream's handler: what it reads feeds {@code from}, its demand drives {@code to}. */
    private final class End implements StreamHandler {
        private final Direction from;
        private final Direction to;

        End(Direction from, Direction to) {
            this.from = from;
            this.to = to;
        }

        @Override
        public void onData(ByteBuf data) {
            inLoop(() -> {
                if (cut) {
                    data.release();
                    return;
                }
                from.queue.add(data);
                from.pump();
            });
        }

        @Override
        public void onFlush() {
            // Stream writes are flushed by their session, once per loop turn.
        }

        @Override
        public void onRemoteFin() {
            inLoop(() -> {
                from.sourceFinished = true;
                from.pump();
            });
        }

        @Override
        public void onClosed(ErrorCode code, String reason) {
            inLoop(() -> {
                if (cut) {
                    return;
                }
                cut = true;
                inbound.release();
                outbound.release();
                MuxStream other = from == inbound ? client : peer;
                if (other != null) {
                    other.reset(code == ErrorCode.NO_ERROR ? ErrorCode.CANCELLED : code);
                }
            });
        }

        @Override
        public void onWritable() {
            inLoop(() -> {
                to.sinkWants = true;
                to.pump();
            });
        }
    }

    private void inLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }
}
