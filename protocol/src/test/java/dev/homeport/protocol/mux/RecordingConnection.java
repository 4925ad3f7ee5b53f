package dev.homeport.protocol.mux;

import dev.homeport.protocol.ErrorCode;
import dev.homeport.protocol.frame.Frame;
import dev.homeport.protocol.message.Frames;
import dev.homeport.protocol.message.GoAway;
import dev.homeport.protocol.message.Open;
import dev.homeport.protocol.message.OpenRefused;
import io.netty.buffer.ByteBufAllocator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * A {@link SessionConnection} without a channel, for the session's parts' unit tests: it records
 * what a part does to the connection as lines of text, releasing each frame once described, and
 * runs the loop's tasks and timers only when the test says, on a clock the test moves.
 */
final class RecordingConnection implements SessionConnection {
    static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    /** What the part did, in order: frames as text ({@link #describe}), "flush", "close", events. */
    private final List<String> log = new ArrayList<>();
    private final Deque<Runnable> tasks = new ArrayDeque<>();
    private final List<Scheduled> timers = new ArrayList<>();
    /** The callbacks of frames written and not yet on the wire. */
    private final List<Runnable> notOnWire = new ArrayList<>();
    boolean active = true;
    boolean writable = true;
    private long now = 5_000_000_000L;

    /** What was done since the last call. */
    List<String> take() {
        List<String> taken = List.copyOf(log);
        log.clear();
        return taken;
    }

    /** The frames written since the last call, without the flushes. */
    List<String> frames() {
        return take().stream().filter(line -> !line.equals("flush")).toList();
    }

    /** Runs the loop's queued tasks, and timers now due, until none is left. */
    void runTasks() {
        while (true) {
            if (!tasks.isEmpty()) {
                tasks.poll().run();
                continue;
            }
            Scheduled due = timers.stream().filter(t -> t.dueNanos <= now).min(Comparator.comparingLong(t -> t.dueNanos)).orElse(null);
            if (due == null) {
                return;
            }
            timers.remove(due);
            if (due.periodNanos > 0) {
                due.dueNanos += due.periodNanos;
                timers.add(due);
            }
            due.task.run();
        }
    }

    /** Lets time pass: every timer due meanwhile runs at its time, then the tasks it queued. */
    void advance(long nanos) {
        long until = now + nanos;
        while (true) {
            runTasks();
            long next = timers.stream().mapToLong(t -> t.dueNanos).filter(d -> d <= until).min().orElse(Long.MAX_VALUE);
            if (next == Long.MAX_VALUE) {
                break;
            }
            now = next;
        }
        now = until;
        runTasks();
    }

    /** The frames written so far reach the wire: their callbacks run. */
    void putOnWire() {
        List<Runnable> callbacks = new ArrayList<>(notOnWire);
        notOnWire.clear();
        callbacks.forEach(Runnable::run);
    }

    /** One line per frame: its type, stream, and what it says. */
    static String describe(Frame f) {
        int id = f.streamId();
        return switch (f.type()) {
            case DATA -> "DATA " + id + " " + f.payload().readableBytes();
            case WINDOW_UPDATE -> "WINDOW_UPDATE " + id + " +" + Frames.windowIncrement(f);
            case FIN -> "FIN " + id;
            case RESET -> "RESET " + id + " " + Frames.resetCode(f);
            case OPEN -> "OPEN " + id + " tunnel " + Open.decode(f.payload().duplicate()).tunnelId();
            case OPEN_REFUSED -> {
                OpenRefused r = OpenRefused.decode(f.payload().duplicate());
                yield "OPEN_REFUSED " + id + " " + r.code() + " " + r.message();
            }
            case PING -> "PING " + (f.hasFlag(Frame.FLAG_ACK) ? "ACK " : "") + Frames.pingOpaque(f);
            case GO_AWAY -> {
                GoAway g = GoAway.decode(f.payload().duplicate());
                yield "GO_AWAY " + g.code() + " " + g.message() + (f.hasFlag(Frame.FLAG_DRAINED) ? " DRAINED" : "");
            }
            default -> f.type() + " " + id;
        };
    }

    /** The streams of a session with none open, for parts that only ask whether any is. */
    static SessionShutdown.Streams noStreams() {
        return new SessionShutdown.Streams() {
            @Override
            public boolean isEmpty() {
                return true;
            }

            @Override
            public void closeAll(ErrorCode code, String reason) {
            }
        };
    }

    // ---- the connection ----

    @Override
    public ByteBufAllocator alloc() {
        return ALLOC;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public boolean isWritable() {
        return writable;
    }

    @Override
    public void write(Frame frame, Runnable whenWritten) {
        log.add(describe(frame));
        frame.release();
        if (whenWritten != null) {
            notOnWire.add(whenWritten);
        }
    }

    @Override
    public void flush() {
        log.add("flush");
    }

    @Override
    public Written writeAndFlush(Frame frame) {
        String line = describe(frame);
        log.add(line);
        log.add("flush");
        frame.release();
        return () -> log.add("close once written: " + line);
    }

    @Override
    public void close() {
        log.add("close");
        active = false;
    }

    @Override
    public void stopReading() {
        log.add("stop reading");
    }

    @Override
    public void fireUserEvent(Object event) {
        log.add("event " + event);
    }

    // ---- the loop ----

    @Override
    public boolean inEventLoop() {
        return true;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
    }

    @Override
    public Timer schedule(Runnable task, long delayNanos) {
        Scheduled s = new Scheduled(task, now + delayNanos, 0);
        timers.add(s);
        return () -> timers.remove(s);
    }

    @Override
    public Timer scheduleAtFixedRate(Runnable task, long periodNanos) {
        Scheduled s = new Scheduled(task, now, periodNanos);
        timers.add(s);
        return () -> timers.remove(s);
    }

    @Override
    public long nanoTime() {
        return now;
    }

    private static final class Scheduled {
        final Runnable task;
        final long periodNanos;
        long dueNanos;

        Scheduled(Runnable task, long dueNanos, long periodNanos) {
            this.task = task;
            this.dueNanos = dueNanos;
            this.periodNanos = periodNanos;
        }
    }
}
