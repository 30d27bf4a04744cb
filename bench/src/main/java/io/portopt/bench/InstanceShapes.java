package io.portopt.bench;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Berth allocation problems of named shapes for benchmarks, reproducible from (shape, vessels,
 * berths, seed). Times are integers in hours, like the Kramer files. The shapes differ in what
 * binds:
 * <ul>
 *   <li>{@code kramer-like}: every vessel arrives within a short span, about twice the work the
 *       berths can do in it, so waiting dominates; handling depends on the berth (fast or twice as
 *       slow) and a per-instance share of 2-45 % of vessel-berth pairs is forbidden.</li>
 *   <li>{@code staggered}: berths open and close at different times (early, late and all-round
 *       berths), arrivals spread over the horizon, handling varies by berth.</li>
 *   <li>{@code heavy}: arrivals three to five times denser than the berths can serve and tight
 *       latest departures, so departures bind and some vessels are left out.</li>
 *   <li>{@code tight}: each vessel may use only 1-3 berths.</li>
 *   <li>{@code physical}: lengths, drafts and depths, maintenance closures, a tide that keeps
 *       deep-draft vessels to windows, weights 0.5-5, some latest departures.</li>
 * </ul>
 * Plain Java, no framework: the same generator can feed property tests.
 */
public final class InstanceShapes {
    public static final List<String> SHAPES = List.of("kramer-like", "staggered", "heavy", "tight", "physical");
    public static final double TIDE_THRESHOLD_M = 13.0;

    private InstanceShapes() {
    }

    /** Problem number {@code index} of a shape; different (seed, index) give independent problems. */
    public static Problem generate(String shape, int vessels, int berths, long seed, int index) {
        if (vessels < 1 || berths < 1) {
            throw new IllegalArgumentException("need at least one vessel and one berth");
        }
        SplittableRandom r = new SplittableRandom(mix(mix(seed, index), shape.hashCode()));
        return switch (shape) {
            case "kramer-like" -> kramerLike(r, vessels, berths);
            case "staggered" -> staggered(r, vessels, berths);
            case "heavy" -> heavy(r, vessels, berths);
            case "tight" -> tight(r, vessels, berths);
            case "physical" -> physical(r, vessels, berths);
            default -> throw new IllegalArgumentException("unknown shape '" + shape + "', expected one of " + SHAPES);
        };
    }

    public static String name(String shape, int vessels, int berths, long seed, int index) {
        return String.format(Locale.ROOT, "%s-%dx%d-s%d-%02d", shape, vessels, berths, seed, index + 1);
    }

    private static Problem kramerLike(SplittableRandom r, int n, int m) {
        double forbidden = 0.02 + 0.43 * r.nextDouble();
        double fastShare = 0.2 + 0.6 * r.nextDouble();
        double load = 1.5 + r.nextDouble();
        long[] base = new long[n];
        double work = 0;
        for (int v = 0; v < n; v++) {
            base[v] = 6 + r.nextInt(41);
            work += base[v] * (2 - fastShare);
        }
        long span = Math.max(1, Math.round(work / m / load));
        long perBerth = Math.round(work / m);
        List<Berth> berthList = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            long opens = 10 + r.nextInt(7);
            berthList.add(new Berth(berthId(b), null, null, opens, opens + span + 3 * perBerth, List.of()));
        }
        List<Vessel> list = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            long arrival = r.nextLong(span + 1);
            Map<String, Long> byBerth = new HashMap<>();
            for (int b = 0; b < m; b++) {
                if (r.nextDouble() >= forbidden) {
                    byBerth.put(berthId(b), r.nextDouble() < fastShare ? base[v] : 2 * base[v]);
                }
            }
            if (byBerth.isEmpty()) {
                byBerth.put(berthId(r.nextInt(m)), base[v]);
            }
            long due = arrival + 2 * base[v] + Math.round((2.0 + 0.5 * r.nextDouble()) * perBerth);
            list.add(new Vessel(vesselId(v), arrival, null, null, 1.0, null, byBerth, due));
        }
        return new Problem(berthList, list, null);
    }

    private static Problem staggered(SplittableRandom r, int n, int m) {
        long[] base = new long[n];
        double work = 0;
        for (int v = 0; v < n; v++) {
            base[v] = 4 + r.nextInt(37);
            work += base[v] * 1.1;
        }
        double load = 0.6 + 0.5 * r.nextDouble();
        long span = Math.max(1, Math.round(work / m / load));
        List<Berth> berthList = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            int kind = m < 3 ? 2 : b % 3; // early, late, all round: every moment has some berth open
            long opens;
            long closes;
            if (kind == 0) {
                opens = r.nextLong(span / 10 + 1);
                closes = opens + span / 3 + r.nextLong(span / 3 + 1);
            } else if (kind == 1) {
                opens = span / 4 + r.nextLong(span / 3 + 1);
                closes = span + span / 2 + r.nextLong(span / 2 + 1);
            } else {
                opens = r.nextLong(span / 5 + 1);
                closes = opens + span + span / 2 + r.nextLong(span + 1);
            }
            berthList.add(new Berth(berthId(b), null, null, opens, closes, List.of()));
        }
        List<Vessel> list = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            long arrival = r.nextLong(span + 1);
            Map<String, Long> byBerth = new HashMap<>();
            for (int b = 0; b < m; b++) {
                if (r.nextInt(10) > 0) {
                    byBerth.put(berthId(b), Math.max(1, Math.round(base[v] * (0.75 + 0.75 * r.nextDouble()))));
                }
            }
            if (byBerth.isEmpty()) {
                byBerth.put(berthId(m < 3 ? 0 : 2), base[v]); // an all-round berth
            }
            list.add(new Vessel(vesselId(v), arrival, null, null, 1.0, null, byBerth, Long.MAX_VALUE));
        }
        return new Problem(berthList, list, null);
    }

    private static Problem heavy(SplittableRandom r, int n, int m) {
        long[] base = new long[n];
        double work = 0;
        for (int v = 0; v < n; v++) {
            base[v] = 4 + r.nextInt(37);
            work += base[v] * 1.05;
        }
        double load = 3 + 2 * r.nextDouble();
        long span = Math.max(1, Math.round(work / m / load));
        List<Berth> berthList = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            berthList.add(new Berth(berthId(b), null, null, 0, span + Math.round(work / m / 2), List.of()));
        }
        List<Vessel> list = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            long arrival = r.nextLong(span + 1);
            Map<String, Long> byBerth = new HashMap<>();
            for (int b = 0; b < m; b++) {
                if (r.nextInt(100) >= 15) {
                    byBerth.put(berthId(b), Math.max(1, Math.round(base[v] * (0.8 + 0.5 * r.nextDouble()))));
                }
            }
            if (byBerth.isEmpty()) {
                byBerth.put(berthId(r.nextInt(m)), base[v]);
            }
            long due = arrival + Math.round(base[v] * (2 + 4 * r.nextDouble())) + r.nextInt(25);
            list.add(new Vessel(vesselId(v), arrival, null, null, 1.0, null, byBerth, due));
        }
        return new Problem(berthList, list, null);
    }

    private static Problem tight(SplittableRandom r, int n, int m) {
        long[] base = new long[n];
        double work = 0;
        for (int v = 0; v < n; v++) {
            base[v] = 4 + r.nextInt(37);
            work += base[v] * 1.1;
        }
        double load = 1.0 + r.nextDouble();
        long span = Math.max(1, Math.round(work / m / load));
        List<Berth> berthList = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            berthList.add(new Berth(berthId(b), null, null, r.nextInt(12), Long.MAX_VALUE, List.of()));
        }
        List<Vessel> list = new ArrayList<>();
        int[] berthOrder = new int[m];
        for (int v = 0; v < n; v++) {
            long arrival = r.nextLong(span + 1);
            int allowed = Math.min(m, 1 + r.nextInt(3));
            for (int b = 0; b < m; b++) {
                berthOrder[b] = b;
            }
            Map<String, Long> byBerth = new HashMap<>();
            for (int i = 0; i < allowed; i++) {
                int j = i + r.nextInt(m - i);
                int tmp = berthOrder[i];
                berthOrder[i] = berthOrder[j];
                berthOrder[j] = tmp;
                byBerth.put(berthId(berthOrder[i]), Math.max(1, Math.round(base[v] * (0.8 + 0.6 * r.nextDouble()))));
            }
            list.add(new Vessel(vesselId(v), arrival, null, null, 1.0, null, byBerth, Long.MAX_VALUE));
        }
        return new Problem(berthList, list, null);
    }

    private static Problem physical(SplittableRandom r, int n, int m) {
        long[] base = new long[n];
        double work = 0;
        for (int v = 0; v < n; v++) {
            base[v] = 6 + r.nextInt(31);
            work += base[v] * 1.2;
        }
        double load = 0.8 + 0.7 * r.nextDouble();
        long span = Math.max(24, Math.round(work / m / load));
        long horizon = span + Math.round(3 * work / m) + 200;
        double[] length = new double[m];
        double[] depth = new double[m];
        List<Berth> berthList = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            length[b] = b == 0 ? 400 : 180 + 10 * r.nextInt(23);
            depth[b] = b == 0 ? 18 : 9 + r.nextInt(91) / 10.0;
            List<Interval> closures = new ArrayList<>();
            int closureCount = r.nextInt(3);
            for (int c = 0; c < closureCount; c++) {
                long from = r.nextLong(span + 1);
                closures.add(new Interval(from, from + 4 + r.nextInt(21)));
            }
            berthList.add(new Berth(berthId(b), length[b], depth[b], Long.MIN_VALUE, Long.MAX_VALUE, closures));
        }
        double maxLength = Arrays.stream(length).max().orElse(400);
        double maxDepth = Arrays.stream(depth).max().orElse(18);
        // Semi-diurnal tide: a 4-hour window every 12 or 13 hours, over the whole horizon.
        List<Interval> windows = new ArrayList<>();
        long t = r.nextInt(12);
        while (t < 4 * horizon) {
            windows.add(new Interval(t, t + 4));
            t += 12 + r.nextInt(2);
        }
        Tide tide = new Tide(TIDE_THRESHOLD_M, windows);
        List<Vessel> list = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            long arrival = r.nextLong(span + 1);
            double len = Math.min(maxLength, 100 + 10 * r.nextInt(29));
            double draft = Math.min(maxDepth, 6 + r.nextInt(101) / 10.0);
            double weight = 0.5 * (1 + r.nextInt(10));
            Long handling = null;
            Map<String, Long> byBerth = new HashMap<>();
            if (r.nextInt(10) < 6) {
                handling = base[v];
            } else {
                for (int b = 0; b < m; b++) {
                    if (r.nextInt(10) < 8) {
                        byBerth.put(berthId(b), Math.max(1, Math.round(base[v] * (0.8 + 0.5 * r.nextDouble()))));
                    }
                }
                byBerth.put(berthId(0), base[v]); // the big deep berth always takes it
            }
            long due = Long.MAX_VALUE;
            if (r.nextInt(5) == 0) {
                due = arrival + 12 + Math.round(base[v] * (2 + 2 * r.nextDouble())) + Math.round(work / m / 4);
            }
            list.add(new Vessel(vesselId(v), arrival, len, draft, weight, handling, byBerth, due));
        }
        return new Problem(berthList, list, tide);
    }

    private static String berthId(int b) {
        return "B" + (b + 1);
    }

    private static String vesselId(int v) {
        return "V" + (v + 1);
    }

    static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
