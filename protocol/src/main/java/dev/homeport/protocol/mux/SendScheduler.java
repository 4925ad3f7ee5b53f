package dev.homeport.protocol.mux;

/**
 * The policy that decides which stream sends next and how much (PROTOCOL.md, "Fair sending"). The
 * session tells it which streams may have a frame, and asks it to hand out a budget of bytes while
 * the connection takes them. On the session's loop only.
 */
interface SendScheduler {
    /** Frames one turn of a stream. */
    @FunctionalInterface
    interface Writer {
        /**
         * @param bytes {@code > 0}: a DATA frame of that many bytes; {@code 0}: the stream's FIN
         * @return whether the connection takes another frame now
         */
        boolean write(SendQueue queue, int bytes);
    }

    /**
     * The queue may have a frame now (data added, credit granted, FIN asked for).
     *
     * @return true if the queue was not waiting for a turn and now is
     */
    boolean update(SendQueue queue);

    /**
     * Gives turns to waiting queues, within {@code maxBytes} of data (the session's credit) in all,
     * until the writer takes no more or no queue has a frame. A FIN needs no credit.
     *
     * @return true if a queue still waits for a turn
     */
    boolean distribute(long maxBytes, Writer writer);

    /** Forgets every waiting queue: the session ended. */
    void clear();
}
