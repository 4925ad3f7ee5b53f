package dev.homeport.protocol.frame;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.homeport.protocol.Documented;
import dev.homeport.testsupport.FuzzChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing of the frame decoder (docs/fuzzing.md): any bytes, cut into any fragments.
 * Invariants: only PROTOCOL.md's errors, every frame within the header rules, nothing decoded after
 * an error, no buffer left live. Seeds: src/test/resources/.../FrameDecoderFuzzTestInputs.
 */
class FrameDecoderFuzzTest {
    private static final int MAX_PAYLOAD = 1024;

    @FuzzTest(maxDuration = "20s")
    void anyBytesInAnyFragmentsDecodeToValidFramesOrOneDocumentedError(FuzzedDataProvider data) {
        try (FuzzChannel ch = new FuzzChannel(Documented::protocolError, new FrameDecoder(MAX_PAYLOAD))) {
            boolean failedBefore = false;
            while (data.remainingBytes() > 0) {
                ch.write(data.consumeBytes(data.consumeInt(1, 64)));
                List<Object> frames = ch.inbound();
                try {
                    if (failedBefore) {
                        assertThat(frames).as("frames decoded after an error").isEmpty();
                    }
                    for (Object o : frames) {
                        Frame f = (Frame) o;
                        assertThat(f.payload().readableBytes()).isLessThanOrEqualTo(MAX_PAYLOAD);
                        assertThat(f.type().onStream() || f.streamId() == 0).isTrue();
                        assertThat(!f.type().onStream() || f.streamId() != 0 || f.type() == FrameType.WINDOW_UPDATE).isTrue();
                    }
                } finally {
                    frames.forEach(ReferenceCountUtil::release);
                }
                failedBefore = ch.error() != null;
            }
        }
    }
}
