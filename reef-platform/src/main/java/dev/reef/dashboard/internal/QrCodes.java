package dev.reef.dashboard.internal;

import com.google.zxing.BarcodeFormat;
import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.common.BitMatrix;
import com.google.zxing.qrcode.QRCodeWriter;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import java.util.Map;

/** QR codes as inline SVG (ZXing encodes; this draws the modules as one path): no image endpoint, nothing cached. */
final class QrCodes {

  private QrCodes() {}

  /** An SVG of {@code text}'s QR code with a quiet zone, scaling to its box; black on white in either theme. */
  static String svg(String text, String label) {
    BitMatrix matrix;
    try {
      matrix = new QRCodeWriter().encode(text, BarcodeFormat.QR_CODE, 0, 0,
          Map.of(EncodeHintType.ERROR_CORRECTION, ErrorCorrectionLevel.M, EncodeHintType.MARGIN, 4));
    } catch (WriterException e) {
      throw new IllegalArgumentException("Cannot encode a QR code of " + text.length() + " characters", e);
    }
    StringBuilder path = new StringBuilder();
    for (int y = 0; y < matrix.getHeight(); y++) {
      for (int x = 0; x < matrix.getWidth(); x++) {
        if (matrix.get(x, y)) {
          path.append('M').append(x).append(' ').append(y).append("h1v1h-1z");
        }
      }
    }
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" aria-label=\""
        + label.replace("\"", "&quot;").replace("<", "&lt;") + "\" viewBox=\"0 0 " + matrix.getWidth() + " "
        + matrix.getHeight() + "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" "
        + "fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
  }
}
