package io.portopt.bench.timefold;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The berth timing rule for the Timefold model, written from the public model (the portopt
 * solver's own timing is internal to it): a vessel starts as early as its berth is free, it has
 * arrived and the berth is open, outside closures, and for a deep-draft vessel with start and end
 * inside tidal windows; it must end by its latest departure and the berth's closing. Plans built
 * with it are checked by the independent FeasibilityChecker like any other.
 */
public final class TfTiming {
    /** Soft score units per unit of weighted turnaround (weights may be fractional). */
    public static final long SOFT_SCALE = 100;
    static final long NONE = Long.MIN_VALUE;

    final int vesselCount;
    final int berthCount;
    final long[] arrival;
    final long[] due;
    final long[] weightScaled;
    final double[] weight;
    final boolean[] tidal;
    /** handling[v][b], or -1 when v may not use b (not allowed, too long or too deep). */
    final long[][] handling;
    final long[] opens;
    final long[] closes;
    final long[][] closureFrom;
    final long[][] closureTo;
    final long[] windowFrom;
    final long[] windowTo;

    public TfTiming(Problem problem) {
        List<Vessel> vessels = problem.vessels();
        List<Berth> berths = problem.berths();
        vesselCount = vessels.size();
        berthCount = berths.size();
        arrival = new long[vesselCount];
        due = new long[vesselCount];
        weight = new double[vesselCount];
        weightScaled = new long[vesselCount];
        tidal = new boolean[vesselCount];
        handling = new long[vesselCount][berthCount];
        opens = new long[berthCount];
        closes = new long[berthCount];
        closureFrom = new long[berthCount][];
        closureTo = new long[berthCount][];
        Tide tide = problem.tide();
        for (int b = 0; b < berthCount; b++) {
            Berth berth = berths.get(b);
            opens[b] = berth.opensAt();
            closes[b] = berth.closesAt();
            List<Interval> closures = merged(berth.closures());
            closureFrom[b] = closures.stream().mapToLong(Interval::from).toArray();
            closureTo[b] = closures.stream().mapToLong(Interval::to).toArray();
        }
        List<Interval> windows = tide == null ? List.of() : merged(tide.windows());
        windowFrom = windows.stream().mapToLong(Interval::from).toArray();
        windowTo = windows.stream().mapToLong(Interval::to).toArray();
        for (int v = 0; v < vesselCount; v++) {
            Vessel vessel = vessels.get(v);
            arrival[v] = vessel.arrival();
            due[v] = vessel.latestDeparture();
            weight[v] = vessel.weight();
            weightScaled[v] = Math.round(vessel.weight() * SOFT_SCALE);
            tidal[v] = tide != null && tide.restricts(vessel);
            for (int b = 0; b < berthCount; b++) {
                Berth berth = berths.get(b);
                long h = vessel.handlingAt(berth.id());
                boolean longEnough = vessel.lengthM() == null || berth.lengthM() == null || vessel.lengthM() <= berth.lengthM();
                boolean deepEnough = vessel.draftM() == null || berth.depthM() == null || vessel.draftM() <= berth.depthM();
                handling[v][b] = h >= 0 && longEnough && deepEnough ? h : -1;
            }
        }
    }

    private static List<Interval> merged(List<Interval> intervals) {
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
     * Earliest feasible {start, end} of v at b when the berth is free from {@code ready}, written to
     * {@code out}; false when there is none (then {@code out} holds a relaxed timing that ignores
     * the deadline, closures and tides, so that the vessels behind it can still be timed).
     */
    boolean time(int v, int b, long ready, long[] out) {
        long h = handling[v][b];
        long t = Math.max(ready, Math.max(arrival[v], opens[b]));
        out[0] = t;
        out[1] = t + Math.max(0, h);
        if (h < 0) {
            return false;
        }
        long limit = Math.min(closes[b], due[v]);
        long[] cFrom = closureFrom[b];
        long[] cTo = closureTo[b];
        while (true) {
            if (tidal[v]) {
                t = nextWindowMoment(t);
                if (t == NONE) {
                    return false;
                }
            }
            long end = t + h;
            if (tidal[v]) {
                end = nextWindowMoment(end);
                if (end == NONE) {
                    return false;
                }
            }
            if (end > limit) {
                return false;
            }
            long pushed = t;
            for (int c = 0; c < cFrom.length; c++) {
                if (cFrom[c] < end && t < cTo[c]) {
                    pushed = Math.max(pushed, cTo[c]);
                }
            }
            if (pushed == t) {
                out[0] = t;
                out[1] = end;
                return true;
            }
            t = pushed;
        }
    }

    /** First moment at or after t inside a tidal window (both ends inclusive), or NONE. */
    private long nextWindowMoment(long t) {
        int lo = 0;
        int hi = windowTo.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (windowTo[mid] >= t) {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return found < 0 ? NONE : Math.max(t, windowFrom[found]);
    }
}
