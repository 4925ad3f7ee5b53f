package dev.homeport.server.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class AdminHandlerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new AdminHandler(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> 0, () -> false));

    @Test
    void anIdleScraperConnectionTimingOutClosesWithoutReachingThePipelinesTail() {
        channel.pipeline().fireExceptionCaught(ReadTimeoutException.INSTANCE);

        channel.checkException(); // throws what reached the tail
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aScraperGoingAwayClosesToo() {
        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        channel.checkException();
        assertThat(channel.isOpen()).isFalse();
    }
}
