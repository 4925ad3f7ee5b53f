package dev.homeport.client.status;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalWidthTest {
    @Test
    void aLineLongerThanTheTerminalIsCutOneColumnShortOfItsWidth() {
        assertThat(TerminalWidth.fit("homeport: 1 tunnel | 3 streams", 11)).isEqualTo("homeport: ");
        assertThat(TerminalWidth.fit("0123456789", 10)).isEqualTo("012345678");
    }

    @Test
    void aLineThatFitsOrAnUnknownWidthLeavesTheTextWhole() {
        assertThat(TerminalWidth.fit("012345678", 10)).isEqualTo("012345678");
        assertThat(TerminalWidth.fit("0123456789", 0)).isEqualTo("0123456789");
        assertThat(TerminalWidth.fit("0123456789", 1)).isEqualTo("0123456789");
    }

    @Test
    void theCutNeverSplitsACharacterOutsideTheBasicPlane() {
        String text = "ab\uD83D\uDE80cd"; // a, b, rocket (two chars), c, d: five code points
        assertThat(TerminalWidth.fit(text, 4)).isEqualTo("ab\uD83D\uDE80");
        assertThat(TerminalWidth.fit(text, 6)).isEqualTo(text);
    }
}
