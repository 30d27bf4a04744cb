package io.portopt.solver;

import java.util.SplittableRandom;

/**
 * Puts a vessel at its cheapest feasible position over all its berths (the recreate of the
 * search and the relocate move of {@link Polish}). With a blink rate, each position is skipped
 * with that probability, which varies the plans recreate builds.
 */
final class BestInsertion {
    private final CompiledProblem p;
    private final SplittableRandom random;
    /** Positions to evaluate before the next skipped one (see {@link #nextBlink}). */
    private int untilBlink = 1;

    BestInsertion(CompiledProblem p, SplittableRandom random) {
        this.p = p;
        this.random = random;
    }

    /** Draws the first blink for a run of insertions at this rate. */
    void startBlinking(double blinkRate) {
        untilBlink = nextBlink(blinkRate);
    }

    /** Inserts v at its cheapest feasible position; returns the berth, or -1 when none is feasible. */
    int insert(Schedule s, int v, double blinkRate) {
        return insert(s, v, blinkRate, null);
    }

    /** As {@link #insert(Schedule, int, double)}, at the berths flagged in {@code only} (all when null). */
    int insert(Schedule s, int v, double blinkRate, boolean[] only) {
        double bestDelta = Double.POSITIVE_INFINITY;
        int bestBerth = -1;
        int bestPos = -1;
        long arrival = p.arrival[v];
        double w = p.weight[v];
        long[] handling = p.handling[v];
        for (int b : p.compatible[v]) {
            long h = handling[b];
            if (w * h >= bestDelta || (only != null && !only[b])) {
                continue;
            }
            int l = s.len[b];
            // Inserting before a vessel that is gone before v arrives is dominated by inserting
            // after it: start at the first vessel still there at v's arrival (ends are increasing).
            int pos = firstEndingAfter(s.end[b], l, arrival);
            long limit = Math.min(p.due[v], p.closes[b]);
            for (; pos <= l; pos++) {
                long ready = s.readyAt(b, pos);
                long earliestEnd = Math.max(ready, arrival) + h;
                // Both bounds only grow with pos: stop at the first position that cannot pay off.
                if (w * (earliestEnd - arrival) >= bestDelta || earliestEnd > limit) {
                    break;
                }
                if (blinkRate > 0 && --untilBlink <= 0) {
                    untilBlink = nextBlink(blinkRate);
                    continue;
                }
                double delta = s.insertionDelta(v, b, pos, bestDelta);
                if (delta < bestDelta) {
                    bestDelta = delta;
                    bestBerth = b;
                    bestPos = pos;
                }
            }
        }
        if (bestBerth >= 0) {
            s.insert(v, bestBerth, bestPos);
        }
        return bestBerth;
    }

    /** Index of the first of the first {@code l} ends that is after t ({@code l} when none is). */
    static int firstEndingAfter(long[] ends, int l, long t) {
        int lo = 0;
        int hi = l;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ends[mid] <= t) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Positions to evaluate before the next blink: geometric with mean 1 / rate, at least 1. */
    private int nextBlink(double rate) {
        double u = 1.0 - random.nextDouble();
        return 1 + (int) Math.min(Integer.MAX_VALUE / 2, Math.log(u) / Math.log1p(-rate));
    }
}
