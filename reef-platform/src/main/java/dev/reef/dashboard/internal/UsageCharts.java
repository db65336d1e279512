package dev.reef.dashboard.internal;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bar charts drawn as SVG on the server: no chart library, no script, and each chart's numbers are also in a table
 * for screen readers. Geometry is in the SVG's own units ({@link #WIDTH} x {@link #HEIGHT}); CSS scales it.
 */
final class UsageCharts {

  static final int WIDTH = 640;
  static final int HEIGHT = 220;
  static final int LEFT = 56;
  static final int BOTTOM = 24;
  static final int TOP = 12;
  private static final BigDecimal CENT = new BigDecimal("0.01");

  private UsageCharts() {}

  /** One bar: its box, the label under it (may be empty to avoid crowding) and its value for the tooltip. */
  public record Bar(double x, double y, double width, double height, String label, String value, boolean labelled) {
    /** The bar's length as a share of the chart's scale, for bars drawn in HTML. */
    public int percent() {
      return (int) Math.round(height * 100 / (HEIGHT - TOP - BOTTOM));
    }

    public double middle() {
      return Math.round((x + width / 2) * 10) / 10.0;
    }
  }

  /** A chart: bars, gridlines at {@code ticks} with their labels, and whether there is anything to show. */
  public record Chart(String title, List<Bar> bars, List<Tick> ticks, boolean empty) {}

  public record Tick(double y, String label) {}

  /** One value per label (a day, a model). */
  public record Point(String label, BigDecimal value) {}

  static Chart columns(String title, List<Point> points, Unit unit) {
    BigDecimal max = points.stream().map(Point::value).reduce(BigDecimal.ZERO, BigDecimal::max);
    boolean empty = max.signum() == 0;
    BigDecimal top = empty ? BigDecimal.ONE : niceCeiling(max);
    if (unit == Unit.TOKENS && top.compareTo(BigDecimal.valueOf(4)) < 0) {
      top = BigDecimal.valueOf(4); // whole numbers: four ticks of at least one each, never "0, 0, 1, 1, 2"
    }
    double plotHeight = HEIGHT - TOP - BOTTOM;
    double slot = points.isEmpty() ? 0 : (double) (WIDTH - LEFT) / points.size();
    int labelEvery = Math.max(1, (int) Math.ceil(points.size() / 12.0));
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i < points.size(); i++) {
      Point p = points.get(i);
      double h = p.value().divide(top, 6, RoundingMode.HALF_UP).doubleValue() * plotHeight;
      bars.add(new Bar(round(LEFT + i * slot + slot * 0.15), round(TOP + plotHeight - h), round(slot * 0.7),
          round(h), p.label(), unit.format(p.value()), i % labelEvery == 0));
    }
    List<Tick> ticks = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      BigDecimal v = top.multiply(BigDecimal.valueOf(i)).divide(BigDecimal.valueOf(4), 6, RoundingMode.HALF_UP);
      ticks.add(new Tick(round(TOP + plotHeight - plotHeight * i / 4.0), unit.format(v)));
    }
    return new Chart(title, bars, ticks, empty);
  }

  /** The smallest "round" number (1, 2, 2.5 or 5 times a power of ten) at or above {@code value}. */
  static BigDecimal niceCeiling(BigDecimal value) {
    if (value.signum() <= 0) {
      return BigDecimal.ONE;
    }
    BigDecimal power = BigDecimal.ONE.scaleByPowerOfTen(value.precision() - value.scale() - 1);
    for (String step : new String[] {"1", "2", "2.5", "5", "10"}) {
      BigDecimal candidate = power.multiply(new BigDecimal(step));
      if (candidate.compareTo(value) >= 0) {
        return candidate.stripTrailingZeros();
      }
    }
    return power.multiply(BigDecimal.TEN);
  }

  /** How a chart's numbers read. */
  enum Unit {
    USD {
      @Override
      String format(BigDecimal v) {
        if (v.signum() != 0 && v.abs().compareTo(CENT) < 0) {
          return "$" + v.setScale(6, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString(); // fractions of a cent
        }
        return "$" + v.setScale(2, RoundingMode.HALF_UP).toPlainString();
      }
    },
    TOKENS {
      @Override
      String format(BigDecimal v) {
        return compact(v.setScale(0, RoundingMode.HALF_UP).longValue());
      }
    };

    abstract String format(BigDecimal v);
  }

  /** 1234 as "1,234", 1234567 as "1.2M". */
  static String compact(long n) {
    if (Math.abs(n) >= 1_000_000_000L) {
      return BigDecimal.valueOf(n).movePointLeft(9).setScale(1, RoundingMode.HALF_UP).stripTrailingZeros()
          .toPlainString() + "B";
    }
    if (Math.abs(n) >= 1_000_000L) {
      return BigDecimal.valueOf(n).movePointLeft(6).setScale(1, RoundingMode.HALF_UP).stripTrailingZeros()
          .toPlainString() + "M";
    }
    return NumberFormat.getIntegerInstance(Locale.ROOT).format(n);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
