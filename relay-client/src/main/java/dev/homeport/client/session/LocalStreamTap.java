package dev.homeport.client.session;

import dev.homeport.client.TunnelSpec;
import io.netty.channel.ChannelPipeline;

/**
 * Told of every connection to a local service as it is set up, to add observers to its pipeline in
 * front of the bridge (the request inspector does); they see the bytes both ways and must pass them on unchanged.
 */
public interface LocalStreamTap {
    LocalStreamTap NONE = (tunnel, pipeline) -> { };

    void install(TunnelSpec tunnel, ChannelPipeline pipeline);
}
