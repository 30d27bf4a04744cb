package io.portopt.solver;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Random berth allocation problems of varied shapes, reproducible from (vessels, berths, seed):
 * berth-dependent handling and allowed-berth lists, staggered opening hours, closures, tides with
 * some deep-draft vessels, lengths and depths, weights 0.5..5, some tight latest departures and
 * sometimes a heavily loaded port. All times are small non-negative integers or open-ended, so a
 * brute force over every start is affordable. {@link #generate} needs no jqwik and can be reused by
 * benchmarks; {@link #problems()} wraps it for properties (shrinking reduces the counts and seed).
 */
public final class RandomProblems {
    public static final int MAX_VESSELS = 40;
    public static final int MAX_BERTHS = 6;
    public static final double TIDE_THRESHOLD_M = 12.0;

    private RandomProblems() {
    }

    public static Arbitrary<Problem> problems() {
        return Combinators.combine(
                Arbitraries.integers().between(1, MAX_VESSELS),
                Arbitraries.integers().between(1, MAX_BERTHS),
                Arbitraries.longs()).as(RandomProblems::generate);
    }

    public static Problem generate(int vesselCount, int berthCount, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean heavy = r.nextInt(3) == 0;
        boolean tidal = r.nextInt(5) < 2;
        boolean physical = r.nextBoolean();
        int meanHandling = 5 + r.nextInt(36);
        long work = Math.max(1, (long) vesselCount * meanHandling / berthCount);
        long span = Math.max(1, heavy ? work / 3 : 2 * work);

        List<Berth> berths = new ArrayList<>();
        for (int b = 0; b < berthCount; b++) {
            Double length = physical && r.nextInt(10) < 7 ? (double) (200 + r.nextInt(201)) : null;
            Double depth = physical && r.nextInt(10) < 7 ? (double) (10 + r.nextInt(9)) : null;
            long opens = r.nextInt(10) < 3 ? r.nextLong(span / 2 + 1) : Long.MIN_VALUE;
            long closes = r.nextInt(heavy ? 2 : 4) == 0 ? Math.max(opens, 0) + span + r.nextLong(2 * span + 1) : Long.MAX_VALUE;
            List<Interval> closures = new ArrayList<>();
            int closureCount = r.nextInt(3);
            for (int c = 0; c < closureCount; c++) {
                long from = r.nextLong(span + 1);
                closures.add(new Interval(from, from + 1 + r.nextInt(30)));
            }
            berths.add(new Berth("B" + (b + 1), length, depth, opens, closes, closures));
        }

        Tide tide = null;
        if (tidal) {
            int period = 20 + r.nextInt(61);
            List<Interval> windows = new ArrayList<>();
            long horizon = 3 * span + 500;
            for (long t = r.nextInt(period); t < horizon; t += period) {
                windows.add(new Interval(t, t + 3 + r.nextInt(period / 2)));
            }
            tide = new Tide(TIDE_THRESHOLD_M, windows);
        }

        List<Vessel> vessels = new ArrayList<>();
        for (int v = 0; v < vesselCount; v++) {
            vessels.add(randomVessel(r, "V" + (v + 1), berthCount, meanHandling, span, physical, heavy ? 3 : 5));
        }
        return new Problem(berths, vessels, tide);
    }

    /**
     * A vessel as {@link #generate} makes them (also used to add vessels when perturbing a problem);
     * one in {@code oneInDue} gets a tight latest departure, some of them infeasible even alone.
     */
    public static Vessel randomVessel(SplittableRandom r, String id, int berthCount, int meanHandling,
                                      long span, boolean physical, int oneInDue) {
        long arrival = r.nextLong(span + 1);
        Double length = physical && r.nextInt(10) < 6 ? (double) (100 + r.nextInt(321)) : null;
        Double draft = r.nextInt(10) < 7 ? (60 + r.nextInt(101)) / 10.0 : null;
        double weight = 0.5 + r.nextInt(10) * 0.5;
        long h = 1 + r.nextInt(2 * meanHandling);
        Long handling = null;
        Map<String, Long> byBerth = new HashMap<>();
        int kind = r.nextInt(100);
        if (kind < 2) {
            // no handling time at all
        } else if (kind < 50) {
            handling = h;
        } else {
            for (int b = 0; b < berthCount; b++) {
                if (r.nextInt(10) < 7) {
                    byBerth.put("B" + (b + 1), Math.max(1, h * (8 + r.nextInt(9)) / 10));
                }
            }
            if (byBerth.isEmpty() && kind >= 53) {
                byBerth.put("B" + (1 + r.nextInt(berthCount)), h);
            }
            if (kind >= 90 || byBerth.isEmpty()) {
                byBerth.put("X" + r.nextInt(3), h); // a berth this port does not have
            }
        }
        long latestDeparture = Long.MAX_VALUE;
        if (r.nextInt(oneInDue) == 0) {
            latestDeparture = arrival + h * (1 + r.nextInt(3)) - r.nextInt(2);
        }
        return new Vessel(id, arrival, length, draft, weight, handling, byBerth, latestDeparture);
    }
}
