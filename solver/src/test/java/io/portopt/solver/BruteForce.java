package io.portopt.solver;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.List;

/**
 * Reference computations straight from the specification, sharing no code with the solver: try
 * every integer start. Only for problems whose finite times are small (as {@link RandomProblems}
 * makes them and hand-written tests use).
 */
final class BruteForce {
    private final Problem problem;
    private final long horizon;

    BruteForce(Problem problem) {
        this.problem = problem;
        long max = 0;
        long maxHandling = 0;
        for (Berth b : problem.berths()) {
            max = Math.max(max, finite(b.opensAt()));
            max = Math.max(max, finite(b.closesAt()));
            for (Interval c : b.closures()) {
                max = Math.max(max, c.to());
            }
        }
        for (Vessel v : problem.vessels()) {
            max = Math.max(max, finite(v.arrival()));
            max = Math.max(max, finite(v.latestDeparture()));
            for (Berth b : problem.berths()) {
                maxHandling = Math.max(maxHandling, v.handlingAt(b.id()));
            }
        }
        if (problem.tide() != null) {
            for (Interval w : problem.tide().windows()) {
                max = Math.max(max, w.to());
            }
        }
        // Past every finite event, a start is as good as any later one.
        this.horizon = max + maxHandling + 2;
    }

    private static long finite(long t) {
        return t == Long.MIN_VALUE || t == Long.MAX_VALUE ? 0 : t;
    }

    /** True when the vessel may use the berth at all: listed (or no list) and physically fitting. */
    static boolean allowed(Vessel v, Berth b) {
        if (v.handlingAt(b.id()) < 0) {
            return false;
        }
        if (v.lengthM() != null && b.lengthM() != null && v.lengthM() > b.lengthM()) {
            return false;
        }
        return v.draftM() == null || b.depthM() == null || v.draftM() <= b.depthM();
    }

    /**
     * Earliest {start, end} of v at b with the berth free from {@code ready} on, by trying every
     * start; null when none is feasible.
     */
    long[] earliest(Vessel v, Berth b, long ready) {
        if (!allowed(v, b)) {
            return null;
        }
        long h = v.handlingAt(b.id());
        Tide tide = problem.tide();
        boolean tidal = tide != null && v.draftM() != null && v.draftM() > tide.draftThresholdM();
        long from = Math.max(v.arrival(), Math.max(ready, b.opensAt()));
        long limit = Math.min(v.latestDeparture(), b.closesAt());
        for (long s = from; s <= Math.max(from, horizon); s++) {
            if (s + h > limit) {
                return null;
            }
            long e = s + h;
            if (tidal) {
                if (!inWindow(tide, s)) {
                    continue;
                }
                e = firstWindowMomentFrom(tide, s + h);
                if (e == Long.MAX_VALUE || e > limit) {
                    continue;
                }
            }
            final long start = s;
            final long end = e;
            if (b.closures().stream().noneMatch(c -> start < c.to() && c.from() < end)) {
                return new long[] {s, e};
            }
        }
        return null;
    }

    private static boolean inWindow(Tide tide, long t) {
        return tide.windows().stream().anyMatch(w -> w.from() <= t && t <= w.to());
    }

    private static long firstWindowMomentFrom(Tide tide, long t) {
        long best = Long.MAX_VALUE;
        for (Interval w : tide.windows()) {
            if (w.to() >= t) {
                best = Math.min(best, Math.max(w.from(), t));
            }
        }
        return best;
    }

    /** True when some berth, empty, takes the vessel. */
    boolean fitsAlone(Vessel v) {
        return problem.berths().stream().anyMatch(b -> earliest(v, b, Long.MIN_VALUE) != null);
    }

    /** Best (most vessels placed, then least weighted turnaround) over every berth choice and order. */
    Optimum optimum() {
        Optimum[] best = {new Optimum(-1, Double.POSITIVE_INFINITY)};
        forEachPlan(here -> {
            if (here.betterThan(best[0])) {
                best[0] = here;
            }
        });
        return best[0];
    }

    /**
     * The least weighted turnaround of a plan that places at least {@code count} vessels
     * (+infinity when none does), over every berth choice and order.
     */
    double cheapestPlacingAtLeast(int count) {
        double[] byCount = new double[problem.vessels().size() + 1];
        java.util.Arrays.fill(byCount, Double.POSITIVE_INFINITY);
        forEachPlan(here -> byCount[here.assigned()] = Math.min(byCount[here.assigned()], here.objective()));
        double best = Double.POSITIVE_INFINITY;
        for (int c = Math.max(0, count); c < byCount.length; c++) {
            best = Math.min(best, byCount[c]);
        }
        return best;
    }

    /** Every feasible plan: each vessel left out or put at every position of every berth it may use. */
    private void forEachPlan(java.util.function.Consumer<Optimum> visit) {
        List<List<Vessel>> sequences = new ArrayList<>();
        for (int b = 0; b < problem.berths().size(); b++) {
            sequences.add(new ArrayList<>());
        }
        forEachPlan(0, sequences, visit);
    }

    private void forEachPlan(int next, List<List<Vessel>> sequences, java.util.function.Consumer<Optimum> visit) {
        if (next == problem.vessels().size()) {
            Optimum here = evaluate(sequences);
            if (here != null) {
                visit.accept(here);
            }
            return;
        }
        Vessel v = problem.vessels().get(next);
        forEachPlan(next + 1, sequences, visit); // v unassigned
        for (int b = 0; b < sequences.size(); b++) {
            if (!allowed(v, problem.berths().get(b))) {
                continue;
            }
            List<Vessel> seq = sequences.get(b);
            for (int pos = 0; pos <= seq.size(); pos++) {
                seq.add(pos, v);
                forEachPlan(next + 1, sequences, visit);
                seq.remove(pos);
            }
        }
    }

    private Optimum evaluate(List<List<Vessel>> sequences) {
        int assigned = 0;
        double cost = 0;
        for (int b = 0; b < sequences.size(); b++) {
            long ready = Long.MIN_VALUE;
            for (Vessel v : sequences.get(b)) {
                long[] t = earliest(v, problem.berths().get(b), ready);
                if (t == null) {
                    return null;
                }
                ready = t[1];
                cost += v.weight() * (t[1] - v.arrival());
                assigned++;
            }
        }
        return new Optimum(assigned, cost);
    }

    record Optimum(int assigned, double objective) {
        boolean betterThan(Optimum other) {
            return assigned != other.assigned ? assigned > other.assigned : objective < other.objective - 1e-9;
        }
    }
}
