package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.ProtocolException;
import dev.homeport.protocol.frame.FrameType;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.util.ArrayList;
import java.util.List;

/**
 * The open streams of one session by id, and each side's id rules (PROTOCOL.md, "Streams"): one
 * {@link Endpoint} for the ids this side opens and one for the ids the peer opens. Touched on the
 * session's loop, except {@link Endpoint#takeNextId} and {@link #size}.
 */
final class StreamTable {
    private final IntObjectMap<MuxStream> streams = new IntObjectHashMap<>();
    private final Endpoint local;
    private final Endpoint remote;
    /** A copy of the map's size that other threads may read. */
    private volatile int size;

    /**
     * @param localFirstId     the first id this side opens: 1 for the side that opens odd ids, 2 for even ones
     * @param localMaxStreams  streams this side may have open when it opens one (the peer's limit)
     * @param remoteMaxStreams streams this side may have open when the peer opens one (its own limit)
     */
    StreamTable(int localFirstId, int localMaxStreams, int remoteMaxStreams) {
        this.local = new Endpoint(localFirstId, localMaxStreams);
        this.remote = new Endpoint((localFirstId & 1) == 1 ? 2 : 1, remoteMaxStreams);
    }

    /** The ids this side opens. */
    Endpoint local() {
        return local;
    }

    /** The ids the peer opens. */
    Endpoint remote() {
        return remote;
    }

    MuxStream get(int id) {
        return streams.get(id);
    }

    void add(MuxStream s) {
        streams.put(s.id(), s);
        size = streams.size();
    }

    /** @return false if the stream was not in the table */
    boolean remove(MuxStream s) {
        boolean removed = streams.remove(s.id()) != null;
        size = streams.size();
        return removed;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return streams.isEmpty();
    }

    /** A copy, for closing every stream while the table changes under the loop. */
    List<MuxStream> snapshot() {
        return new ArrayList<>(streams.values());
    }

    /**
     * A frame for an id not in the table is fine if that stream existed once (closed here while
     * the peer was still sending); for an id never opened it is a session error.
     */
    void requireKnown(int id, FrameType type) {
        Endpoint side = remote.owns(id) ? remote : local;
        if (!side.mayHaveCreated(id)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    type + " on stream " + Integer.toUnsignedString(id) + ", which was never opened");
        }
    }

    /**
     * The ids one side opens: odd or even, increasing, never reused. Ids compare unsigned, so an id
     * past 2^31-1 reads as negative and means this side ran out.
     */
    final class Endpoint {
        private final int firstId;
        private final int maxStreams;
        /** The lowest id this side may open next; written under this endpoint's lock, read on the loop. */
        private volatile int nextId;

        private Endpoint(int firstId, int maxStreams) {
            this.firstId = firstId;
            this.maxStreams = maxStreams;
            this.nextId = firstId;
        }

        /** Whether {@code id} has this side's parity, so only this side could open it. */
        boolean owns(int id) {
            return (id & 1) == (firstId & 1);
        }

        /** Whether a stream of this id was opened (it may be closed since). */
        boolean mayHaveCreated(int id) {
            return Integer.compareUnsigned(id, nextId) < 0;
        }

        /** Whether the table has room for one more stream opened by this side. */
        boolean canOpen() {
            return streams.size() < maxStreams;
        }

        int maxStreams() {
            return maxStreams;
        }

        /**
         * Takes the next id of this side, which opens streams in id order. A caller that must send its
         * OPENs in that order holds this endpoint's lock from taking the id to queueing the OPEN.
         *
         * @return the id, non-positive once ids are exhausted
         */
        synchronized int takeNextId() {
            int id = nextId;
            nextId = id + 2;
            return id;
        }

        /** Records an id the peer opened; it must be higher than every id it opened before. */
        void opened(int id) {
            if (Integer.compareUnsigned(id, nextId) < 0) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN reuses stream id " + Integer.toUnsignedString(id));
            }
            nextId = id + 2;
        }
    }
}
