package io.portopt.solver;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.UnassignedReason;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The problem in array form for the search, plus the timing rule: the earliest feasible start of a
 * vessel at a berth that becomes free at a given time. Not thread-safe (one per solve).
 */
final class CompiledProblem {
    static final long NONE = Long.MIN_VALUE;

    final Problem problem;
    final int vesselCount;
    final int berthCount;
    final long[] arrival;
    final double[] weight;
    final long[] due;
    final boolean[] tidal;
    /** handling[v][b], or -1 when v may not use b. */
    final long[][] handling;
    /** Berths v may use, cheapest handling first. */
    final int[][] compatible;
    final long[] opens;
    final long[] closes;
    final long[][] closureFrom;
    final long[][] closureTo;
    final long[] windowFrom;
    final long[] windowTo;
    /** Tidal-window buckets are 2^windowBucketShift time units wide: a shift, not a division, per lookup. */
    private final int windowBucketShift;
    private final int[] windowBucketFirst;
    /** Why a vessel cannot be placed even alone, or null when some empty berth takes it. */
    final UnassignedReason[] intrinsicReason;
    final String[] intrinsicDetail;

    /** End time computed by the last successful {@link #earliestStart} call. */
    long lastEnd;

    /**
     * A replan's stability term, or none: per vessel, the berth the base plan gives it (-1: not in
     * the base plan, no penalty; berthCount: a berth this problem no longer has) and its start there.
     */
    final boolean stable;
    final int[] baseBerth;
    final long[] baseStart;
    final double perBerthMove;
    final double perShift;
    /** Ends the search early with its best plan (a cancelled job, or one yielding its core). */
    java.util.function.BooleanSupplier stop = () -> false;

    CompiledProblem(Problem problem) {
        this.problem = problem;
        List<Vessel> vessels = problem.vessels();
        List<Berth> berths = problem.berths();
        vesselCount = vessels.size();
        berthCount = berths.size();
        arrival = new long[vesselCount];
        weight = new double[vesselCount];
        due = new long[vesselCount];
        tidal = new boolean[vesselCount];
        handling = new long[vesselCount][berthCount];
        compatible = new int[vesselCount][];
        opens = new long[berthCount];
        closes = new long[berthCount];
        closureFrom = new long[berthCount][];
        closureTo = new long[berthCount][];
        intrinsicReason = new UnassignedReason[vesselCount];
        intrinsicDetail = new String[vesselCount];

        for (int b = 0; b < berthCount; b++) {
            Berth berth = berths.get(b);
            opens[b] = berth.opensAt();
            closes[b] = berth.closesAt();
            List<Interval> closures = merged(berth.closures());
            closureFrom[b] = closures.stream().mapToLong(Interval::from).toArray();
            closureTo[b] = closures.stream().mapToLong(Interval::to).toArray();
        }
        Tide tide = problem.tide();
        List<Interval> windows = tide == null ? List.of() : merged(tide.windows());
        windowFrom = windows.stream().mapToLong(Interval::from).toArray();
        windowTo = windows.stream().mapToLong(Interval::to).toArray();
        long width = windows.isEmpty() ? 1
                : Math.max(1, (windowTo[windowTo.length - 1] - windowFrom[0]) / (2L * windows.size()) + 1);
        windowBucketShift = 63 - Long.numberOfLeadingZeros(width);
        windowBucketFirst = windowBuckets(windowFrom, windowTo, windowBucketShift);

        for (int v = 0; v < vesselCount; v++) {
            Vessel vessel = vessels.get(v);
            arrival[v] = vessel.arrival();
            weight[v] = vessel.weight();
            due[v] = vessel.latestDeparture();
            tidal[v] = tide != null && tide.restricts(vessel);
            List<Integer> ok = new ArrayList<>();
            for (int b = 0; b < berthCount; b++) {
                Berth berth = berths.get(b);
                long h = vessel.handlingAt(berth.id());
                handling[v][b] = h >= 0 && fits(vessel, berth) ? h : -1;
                if (handling[v][b] >= 0) {
                    ok.add(b);
                }
            }
            final int vv = v;
            compatible[v] = ok.stream().sorted(Comparator.comparingLong(b -> handling[vv][b]))
                    .mapToInt(Integer::intValue).toArray();
            classifyAlone(v, vessel, berths);
        }

        io.portopt.solver.model.Stability stability = problem.stability();
        stable = stability != null && (stability.perBerthMove() > 0 || stability.perTimeUnitShift() > 0);
        baseBerth = new int[stable ? vesselCount : 0];
        baseStart = new long[stable ? vesselCount : 0];
        perBerthMove = stable ? stability.perBerthMove() : 0;
        perShift = stable ? stability.perTimeUnitShift() : 0;
        if (stable) {
            java.util.Map<String, Integer> berthIndex = new java.util.HashMap<>();
            for (int b = 0; b < berthCount; b++) {
                berthIndex.putIfAbsent(berths.get(b).id(), b);
            }
            for (int v = 0; v < vesselCount; v++) {
                io.portopt.solver.model.Assignment was = stability.base().get(vessels.get(v).id());
                Integer b = was == null ? null : berthIndex.get(was.berth());
                // A vessel whose base berth is gone pays the move wherever it goes (berthCount matches no berth).
                baseBerth[v] = was == null ? -1 : b == null ? berthCount : b;
                baseStart[v] = was == null ? 0 : was.start();
            }
        }
    }

    static boolean fits(Vessel vessel, Berth berth) {
        boolean length = vessel.lengthM() == null || berth.lengthM() == null || vessel.lengthM() <= berth.lengthM();
        boolean depth = vessel.draftM() == null || berth.depthM() == null || vessel.draftM() <= berth.depthM();
        return length && depth;
    }

    private void classifyAlone(int v, Vessel vessel, List<Berth> berths) {
        if (compatible[v].length == 0) {
            intrinsicReason[v] = UnassignedReason.NO_COMPATIBLE_BERTH;
            intrinsicDetail[v] = incompatibilityDetail(vessel, berths);
            return;
        }
        for (int b : compatible[v]) {
            if (earliestStart(v, b, Long.MIN_VALUE) != NONE) {
                return;
            }
        }
        intrinsicReason[v] = UnassignedReason.NO_FEASIBLE_WINDOW;
        intrinsicDetail[v] = tidal[v]
                ? "no start on any compatible berth meets its opening hours, closures, tidal windows and latest departure"
                : "no start on any compatible berth meets its opening hours, closures and latest departure";
    }

    private static String incompatibilityDetail(Vessel vessel, List<Berth> berths) {
        List<Berth> allowed = berths.stream().filter(b -> vessel.handlingAt(b.id()) >= 0).toList();
        if (allowed.isEmpty()) {
            return vessel.handlingByBerth().isEmpty()
                    ? "no handling time given"
                    : "handlingMinutesByBerth names no berth of this port";
        }
        boolean anyLongEnough = allowed.stream().anyMatch(b ->
                vessel.lengthM() == null || b.lengthM() == null || vessel.lengthM() <= b.lengthM());
        if (!anyLongEnough) {
            return "length " + vessel.lengthM() + " m exceeds every allowed berth";
        }
        return "draft " + vessel.draftM() + " m exceeds the depth of every allowed berth that is long enough";
    }

    /** Sorted, merged intervals: overlapping or touching ones become one. */
    static List<Interval> merged(List<Interval> intervals) {
        List<Interval> sorted = intervals.stream().sorted(Comparator.comparingLong(Interval::from)).toList();
        List<Interval> out = new ArrayList<>();
        for (Interval i : sorted) {
            if (!out.isEmpty() && i.from() <= out.getLast().to()) {
                Interval last = out.removeLast();
                out.add(new Interval(last.from(), Math.max(last.to(), i.to())));
            } else {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Earliest feasible start of vessel v at berth b, given the berth is free from {@code ready};
     * {@link #NONE} when no start is feasible. On success the end is left in {@link #lastEnd}.
     * The end is non-decreasing in the start, so the earliest start also gives the earliest end and
     * a later ready time can never make an infeasible placement feasible.
     */
    long earliestStart(int v, int b, long ready) {
        long h = handling[v][b];
        long t = Math.max(ready, Math.max(arrival[v], opens[b]));
        long limit = Math.min(closes[b], due[v]);
        long[] cFrom = closureFrom[b];
        boolean tideBound = tidal[v];
        if (!tideBound && cFrom.length == 0) {
            long end = t + h;
            if (end > limit) {
                return NONE;
            }
            lastEnd = end;
            return t;
        }
        long[] cTo = closureTo[b];
        while (true) {
            if (tideBound) {
                t = nextWindowMoment(t);
                if (t == NONE) {
                    return NONE;
                }
            }
            long end = t + h;
            if (tideBound) {
                end = nextWindowMoment(end);
                if (end == NONE) {
                    return NONE;
                }
            }
            if (end > limit) {
                return NONE;
            }
            long pushed = t;
            for (int c = 0; c < cFrom.length; c++) {
                if (cFrom[c] >= end) {
                    break;
                }
                if (t < cTo[c]) {
                    pushed = cTo[c];
                    break;
                }
            }
            if (pushed == t) {
                lastEnd = end;
                return t;
            }
            t = pushed;
        }
    }

    /** The first moment at or after t that lies inside a tidal window (inclusive ends), or NONE. */
    long nextWindowMoment(long t) {
        int count = windowTo.length;
        if (count == 0 || t > windowTo[count - 1]) {
            return NONE;
        }
        int i;
        if (t <= windowFrom[0]) {
            i = 0;
        } else {
            // Start from the bucket's first candidate window, then step forward (O(1) on average).
            long bucket = (t - windowFrom[0]) >>> windowBucketShift;
            i = windowBucketFirst[(int) Math.min(bucket, windowBucketFirst.length - 1)];
            while (windowTo[i] < t) {
                i++;
            }
        }
        return Math.max(t, windowFrom[i]);
    }

    /**
     * For each bucket of 2^shift time units from the first window on, the first window that ends at
     * or after the bucket's start. The width is at least half the mean window period, so 4 buckets
     * per window cover them all.
     */
    private static int[] windowBuckets(long[] from, long[] to, int shift) {
        int count = to.length;
        if (count == 0) {
            return new int[0];
        }
        long width = 1L << shift;
        int buckets = (int) Math.min(4L * count + 1, (to[count - 1] - from[0]) / width + 1);
        int[] first = new int[buckets];
        int i = 0;
        for (int k = 0; k < buckets; k++) {
            long bucketStart = from[0] + k * width;
            while (i < count - 1 && to[i] < bucketStart) {
                i++;
            }
            first[k] = i;
        }
        return first;
    }

    double cost(int v, long end) {
        return weight[v] * (end - arrival[v]);
    }

    /**
     * What the search minimises for v at berth b over [start, end): its weighted turnaround, plus in
     * a replan the stability term against the base plan. (The delay estimates of
     * {@link Schedule#insertionDelta} count only the turnaround of the vessels pushed back; every
     * state's cost is exact, re-timed with this.)
     */
    double cost(int v, int b, long start, long end) {
        double c = weight[v] * (end - arrival[v]);
        if (stable && baseBerth[v] >= 0) {
            c += (b == baseBerth[v] ? 0 : perBerthMove) + perShift * Math.abs(start - baseStart[v]);
        }
        return c;
    }

    boolean stopped() {
        return stop.getAsBoolean();
    }
}
