package dev.phantom.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Medians, percentiles and number formatting. */
final class Stats {
  private Stats() {}

  static double median(double... values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    if (n == 0) return Double.NaN;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  static double median(List<Double> values) {
    return median(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** Nearest-rank percentile ({@code p} in 0..1) of unsorted values. */
  static long percentile(long[] values, double p) {
    long[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(p * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  static String rate(double perSecond) {
    return String.format(Locale.ROOT, "%,.0f /s", perSecond);
  }

  static String ms(double nanos) {
    return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
  }

  static String seconds(double nanos) {
    return String.format(Locale.ROOT, "%.2f s", nanos / 1e9);
  }

  static String ns(double nanos) {
    return String.format(Locale.ROOT, "%.1f ns", nanos);
  }

  static String bytes(double bytes) {
    return String.format(Locale.ROOT, "%,.0f B", bytes);
  }

  static String runs(List<String> values) {
    return values.stream().collect(Collectors.joining(" / "));
  }

  static String fmt(String format, Object... args) {
    return String.format(Locale.ROOT, format, args);
  }
}
