package dev.homeport.server.session;

import dev.homeport.protocol.frame.FrameDecoder;
import dev.homeport.protocol.frame.FrameEncoder;
import dev.homeport.protocol.handshake.ServerHandshakeHandler;
import io.netty.channel.ChannelPipeline;

/** The session's handlers, the same above every transport: frame codec, handshake, then the session installer. */
final class SessionPipeline {
    private SessionPipeline() {
    }

    static void addLast(ChannelPipeline pipeline, ControlContext context) {
        pipeline.addLast("frame-decoder", new FrameDecoder(context.config().protocol().maxFramePayload()))
                .addLast("frame-encoder", FrameEncoder.INSTANCE)
                .addLast("handshake", new ServerHandshakeHandler(context.config().protocol(), context.config().tokens()))
                .addLast("session-installer", new SessionInstaller(context));
    }
}
