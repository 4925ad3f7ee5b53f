package dev.homeport.client.jupyter;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;

import java.util.Map;

/**
 * A QR code drawn with Unicode half blocks, two modules per character cell vertically, so that a
 * phone or iPad camera can read a URL straight off the terminal. Light modules are drawn as
 * blocks (the text colour), dark ones as blanks, which suits the usual light-on-dark terminal;
 * {@code invert} is for dark text on a light background.
 */
public final class TerminalQr {
    /** Light border around the code, in modules; the QR standard asks for 4 so scanners find the code. */
    public static final int QUIET_ZONE = 4;

    static final char BOTH = '\u2588';
    static final char UPPER = '\u2580';
    static final char LOWER = '\u2584';
    static final char NONE = ' ';

    private TerminalQr() {
    }

    /** The modules of {@code text}'s QR code (true: dark), without a quiet zone. */
    public static BitMatrix encode(String text) {
        try {
            return new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
                    Map.of(EncodeHintType.MARGIN, 0, EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M,
                            EncodeHintType.CHARACTER_SET, "UTF-8"));
        } catch (WriterException e) {
            throw new IllegalArgumentException("cannot encode a QR code of " + text.length() + " characters: " + e.getMessage(), e);
        }
    }

    /** {@code text}'s QR code as lines of half blocks, quiet zone included. */
    public static String render(String text, boolean invert) {
        BitMatrix m = encode(text);
        int size = m.getWidth() + 2 * QUIET_ZONE;
        StringBuilder out = new StringBuilder();
        for (int y = 0; y < size; y += 2) {
            for (int x = 0; x < size; x++) {
                boolean top = light(m, x - QUIET_ZONE, y - QUIET_ZONE) != invert;
                boolean bottom = y + 1 < size ? light(m, x - QUIET_ZONE, y + 1 - QUIET_ZONE) != invert : false;
                out.append(top ? (bottom ? BOTH : UPPER) : (bottom ? LOWER : NONE));
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static boolean light(BitMatrix m, int x, int y) {
        boolean inside = x >= 0 && y >= 0 && x < m.getWidth() && y < m.getHeight();
        return !inside || !m.get(x, y);
    }
}
