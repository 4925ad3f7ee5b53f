package dev.homeport.client.jupyter;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class TerminalQrTest {
    private static final String URL = "http://jupyter.example.com:8080/?token=3f1a0c9e7b2d4e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d";

    @Test
    void theRenderedCodeDecodesBackToExactlyTheUrlInBothColourSchemes() throws Exception {
        assertThat(decode(TerminalQr.render(URL, false), false)).isEqualTo(URL);
        assertThat(decode(TerminalQr.render(URL, true), true)).isEqualTo(URL);
    }

    @Test
    void theCodeHasAQuietZoneOfFourModulesOnEverySide() {
        String text = TerminalQr.render(URL, false);
        List<String> lines = text.lines().toList();
        int modules = TerminalQr.encode(URL).getWidth();
        assertThat(lines.get(0)).hasSize(modules + 2 * TerminalQr.QUIET_ZONE);
        // Light modules are blocks: the first two lines (four module rows) are all light.
        assertThat(lines.get(0)).matches("\u2588+");
        assertThat(lines.get(1)).matches("\u2588+");
        for (String l : lines.subList(2, lines.size() - 2)) {
            assertThat(l).startsWith("\u2588\u2588\u2588\u2588").endsWith("\u2588\u2588\u2588\u2588");
        }
    }

    @Test
    void aTextTooLongForAnyQrCodeIsAClearError() {
        String huge = "x".repeat(8000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TerminalQr.render(huge, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot encode a QR code of 8000 characters");
    }

    /** Reads the half blocks back as pixels, 4 per module, and lets ZXing find and decode the code. */
    static String decode(String rendered, boolean inverted) throws Exception {
        List<String> lines = rendered.lines().toList();
        int width = lines.get(0).length();
        int height = lines.size() * 2;
        int scale = 4;
        byte[] pixels = new byte[width * scale * height * scale];
        for (int row = 0; row < lines.size(); row++) {
            String l = lines.get(row);
            for (int x = 0; x < width; x++) {
                char c = l.charAt(x);
                boolean topDrawn = c == '\u2588' || c == '\u2580';
                boolean bottomDrawn = c == '\u2588' || c == '\u2584';
                paint(pixels, width * scale, x, row * 2, scale, topDrawn != inverted);
                paint(pixels, width * scale, x, row * 2 + 1, scale, bottomDrawn != inverted);
            }
        }
        PlanarYUVLuminanceSource source = new PlanarYUVLuminanceSource(pixels, width * scale, height * scale, 0, 0,
                width * scale, height * scale, false);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    }

    private static void paint(byte[] pixels, int stride, int mx, int my, int scale, boolean light) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                pixels[(my * scale + dy) * stride + mx * scale + dx] = (byte) (light ? 255 : 0);
            }
        }
    }
}
