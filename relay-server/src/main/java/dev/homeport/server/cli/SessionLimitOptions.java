package dev.homeport.server.cli;

import dev.homeport.protocol.ProtocolSettings;
import dev.homeport.protocol.SettingValues;
import picocli.CommandLine.Option;

/** The session limits of PROTOCOL.md ("Limits") as options; unset ones keep ProtocolSettings' defaults. */
final class SessionLimitOptions {
    @Option(names = "--max-streams", paramLabel = "N", description = "Concurrent streams per client session. Default: 16384.")
    Integer maxStreams;

    @Option(names = "--initial-window", paramLabel = "SIZE", description = "Receive window of a new stream. Default: 512KiB.")
    String initialWindow;

    @Option(names = "--max-window", paramLabel = "SIZE", description = "Ceiling of a stream's auto-tuned window. Default: 16MiB.")
    String maxWindow;

    @Option(names = "--session-window", paramLabel = "SIZE",
            description = "Receive credit of one client session over all its streams: the most bytes the relay "
                    + "buffers for one client. Default: 64MiB.")
    String sessionWindow;

    @Option(names = "--max-frame-payload", paramLabel = "SIZE", description = "Largest frame payload accepted. Default: 64KiB.")
    String maxFramePayload;

    @Option(names = "--handshake-timeout", paramLabel = "DURATION",
            description = "A client must finish its handshake (HELLO to WELCOME) within this time of connecting; TLS and a WebSocket "
                    + "upgrade count. Default: 10s.")
    String handshakeTimeout;

    @Option(names = "--ping-interval", paramLabel = "DURATION", description = "Keep-alive PING interval. Default: 10s.")
    String pingInterval;

    @Option(names = "--keepalive-timeout", paramLabel = "DURATION",
            description = "A session silent this long is dead. Default: 30s.")
    String keepAliveTimeout;

    @Option(names = "--max-control-backlog", paramLabel = "SIZE",
            description = "Answers (PING ACK, BIND replies, RESET, WINDOW_UPDATE) the relay may queue for a client that "
                    + "does not read them; more ends the session with GO_AWAY FLOODING. Default: 256KiB.")
    String maxControlBacklog;

    @Option(names = "--max-unanswered-binds", paramLabel = "N",
            description = "BINDs of one client the relay works on at once; it reads no further frame from the client "
                    + "until one is answered. Default: 16.")
    Integer maxUnansweredBinds;

    @Option(names = "--max-answer-rate", paramLabel = "N",
            description = "Frames a second asking for an answer (PING, BIND) the relay takes from one client, one second's "
                    + "worth at once; more ends the session with GO_AWAY FLOODING. An honest client asks at most some 500. "
                    + "Default: 2000.")
    Integer maxAnswerRate;

    @Option(names = "--target-queue-delay", paramLabel = "DURATION",
            description = "Queueing delay the stream windows are steered toward (or a tenth of the round trip, if more), so "
                    + "that bulk bytes do not queue where interactive streams wait behind them; 0 turns it off. Default: 1ms.")
    String targetQueueDelay;

    ProtocolSettings toSettings() {
        ProtocolSettings d = ProtocolSettings.defaults();
        return new ProtocolSettings(
                maxFramePayload == null ? d.maxFramePayload() : SettingValues.intBytes(maxFramePayload, "--max-frame-payload"),
                initialWindow == null ? d.initialStreamWindow() : SettingValues.intBytes(initialWindow, "--initial-window"),
                maxWindow == null ? d.maxStreamWindow() : SettingValues.intBytes(maxWindow, "--max-window"),
                sessionWindow == null ? d.sessionWindow() : SettingValues.bytes(sessionWindow, "--session-window"),
                maxStreams == null ? d.maxConcurrentStreams() : maxStreams,
                handshakeTimeout == null ? d.handshakeTimeout() : SettingValues.duration(handshakeTimeout, "--handshake-timeout"),
                pingInterval == null ? d.pingInterval() : SettingValues.duration(pingInterval, "--ping-interval"),
                keepAliveTimeout == null ? d.keepAliveTimeout() : SettingValues.duration(keepAliveTimeout, "--keepalive-timeout"),
                maxControlBacklog == null ? d.maxControlBacklog()
                        : SettingValues.intBytes(maxControlBacklog, "--max-control-backlog"),
                maxUnansweredBinds == null ? d.maxUnansweredBinds() : maxUnansweredBinds,
                targetQueueDelay == null ? d.targetQueueDelay() : SettingValues.duration(targetQueueDelay, "--target-queue-delay"),
                maxAnswerRate == null ? d.maxAnswerRate() : maxAnswerRate);
    }
}
