package io.portopt.solver;

import java.util.Arrays;

/**
 * Mutable search state: for each berth the vessel sequence with left-shifted start and end times.
 * Times of a sequence are always the earliest feasible ones for that order, so an order fixes the plan.
 */
final class Schedule {
    private final CompiledProblem p;
    final int[][] seq;
    final long[][] start;
    final long[][] end;
    final int[] len;
    final int[] berthOf;
    final double[] berthCost;
    int assignedCount;
    double cost;
    /**
     * Evaluations done so far (insertion positions, vessels re-timed, runs walked): a measure of
     * work that, unlike time, is the same on every run.
     */
    long work;
    /** Tide-bound vessels per berth: their stays do not simply shift when a predecessor moves. */
    private final int[] tidalCount;
    /**
     * Per berth, for the shift evaluation of {@link #insertionDelta}: the idle time before each
     * position ({@code gap}), and from each position to the end of its run of back-to-back
     * vessels the run end, the total weight and the least room before a vessel's limit (latest
     * departure or berth closing). Rebuilt lazily after a berth changes ({@code runsStale}).
     */
    private final long[][] gap;
    private final int[][] runEnd;
    private final double[][] runWeight;
    private final long[][] runRoom;
    private final boolean[] runsStale;

    Schedule(CompiledProblem p) {
        this.p = p;
        int n = p.vesselCount;
        seq = new int[p.berthCount][n + 1];
        start = new long[p.berthCount][n + 1];
        end = new long[p.berthCount][n + 1];
        len = new int[p.berthCount];
        berthOf = new int[n];
        Arrays.fill(berthOf, -1);
        berthCost = new double[p.berthCount];
        tidalCount = new int[p.berthCount];
        // Allocated on first use: only the schedule the search inserts into ever needs them.
        gap = new long[p.berthCount][];
        runEnd = new int[p.berthCount][];
        runWeight = new double[p.berthCount][];
        runRoom = new long[p.berthCount][];
        runsStale = new boolean[p.berthCount];
        Arrays.fill(runsStale, true);
    }

    void copyFrom(Schedule other) {
        for (int b = 0; b < len.length; b++) {
            copyBerthFrom(other, b);
        }
        System.arraycopy(other.berthOf, 0, berthOf, 0, berthOf.length);
        assignedCount = other.assignedCount;
        cost = other.cost;
    }

    /** Copies one berth's sequence; callers fix {@link #berthOf}, counts and cost themselves. */
    void copyBerthFrom(Schedule other, int b) {
        int l = other.len[b];
        System.arraycopy(other.seq[b], 0, seq[b], 0, l);
        System.arraycopy(other.start[b], 0, start[b], 0, l);
        System.arraycopy(other.end[b], 0, end[b], 0, l);
        len[b] = l;
        berthCost[b] = other.berthCost[b];
        tidalCount[b] = other.tidalCount[b];
        runsStale[b] = true;
    }

    long readyAt(int b, int pos) {
        return pos == 0 ? Long.MIN_VALUE : end[b][pos - 1];
    }

    /**
     * Cost increase of inserting v at position pos of berth b, or +infinity when infeasible or when
     * it would exceed {@code bound} (the search only wants insertions cheaper than that).
     */
    double insertionDelta(int v, int b, int pos, double bound) {
        work++;
        long s = p.earliestStart(v, b, readyAt(b, pos));
        if (s == CompiledProblem.NONE) {
            return Double.POSITIVE_INFINITY;
        }
        long ready = p.lastEnd;
        double delta = p.cost(v, ready);
        if (delta >= bound) {
            return Double.POSITIVE_INFINITY;
        }
        if (tidalCount[b] == 0 && p.closureFrom[b].length == 0) {
            return delta + shiftCost(b, pos, ready, bound - delta);
        }
        return retimedDelta(b, pos, ready, delta, bound);
    }

    /**
     * {@link #insertionDelta} the general way: re-times the berth from pos on behind a vessel now
     * leaving at {@code ready}, until the first unchanged start.
     */
    private double retimedDelta(int b, int pos, long ready, double delta, double bound) {
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        for (int q = pos; q < len[b]; q++) {
            int u = sq[q];
            if (st[q] >= ready) {
                return delta; // the rest of the berth is untouched
            }
            long su = p.earliestStart(u, b, ready);
            work++;
            if (su == CompiledProblem.NONE) {
                return Double.POSITIVE_INFINITY;
            }
            if (su == st[q]) {
                return delta;
            }
            delta += p.weight[u] * (p.lastEnd - en[q]);
            if (delta >= bound) {
                return Double.POSITIVE_INFINITY;
            }
            ready = p.lastEnd;
        }
        return delta;
    }

    /**
     * Cost of delaying the vessels of berth b from position pos on when the vessel before pos now
     * leaves at {@code ready}, or +infinity when a limit breaks or the cost reaches {@code bound}.
     * Only for berths without closures and tide-bound vessels, where a vessel's start is the latest
     * of its ready time, its arrival and the opening: a delay then passes unchanged through a run
     * of back-to-back vessels and shrinks by the idle time before the next run, so the cost is one
     * multiplication per run instead of one timing per vessel.
     */
    private double shiftCost(int b, int pos, long ready, double bound) {
        int l = len[b];
        if (pos >= l) {
            return 0;
        }
        long shift = ready - start[b][pos];
        if (shift <= 0) {
            return 0;
        }
        if (runsStale[b]) {
            rebuildRuns(b);
        }
        int[] re = runEnd[b];
        double[] rw = runWeight[b];
        long[] rr = runRoom[b];
        long[] g = gap[b];
        double delta = 0;
        int q = pos;
        while (true) {
            if (shift > rr[q]) {
                return Double.POSITIVE_INFINITY;
            }
            delta += shift * rw[q];
            if (delta >= bound) {
                return Double.POSITIVE_INFINITY;
            }
            q = re[q];
            work++;
            if (q >= l) {
                return delta;
            }
            shift -= g[q];
            if (shift <= 0) {
                return delta;
            }
        }
    }

    private void rebuildRuns(int b) {
        int l = len[b];
        work += 1 + l / 4;
        if (gap[b] == null) {
            int capacity = seq[b].length;
            gap[b] = new long[capacity];
            runEnd[b] = new int[capacity];
            runWeight[b] = new double[capacity];
            runRoom[b] = new long[capacity];
        }
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        long[] g = gap[b];
        int[] re = runEnd[b];
        double[] rw = runWeight[b];
        long[] rr = runRoom[b];
        long close = p.closes[b];
        for (int q = 0; q < l; q++) {
            g[q] = q == 0 ? Long.MAX_VALUE : st[q] - en[q - 1];
        }
        for (int q = l - 1; q >= 0; q--) {
            int u = sq[q];
            long limit = Math.min(close, p.due[u]);
            long room = limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - en[q];
            if (q == l - 1 || g[q + 1] > 0) {
                re[q] = q + 1;
                rw[q] = p.weight[u];
                rr[q] = room;
            } else {
                re[q] = re[q + 1];
                rw[q] = p.weight[u] + rw[q + 1];
                rr[q] = Math.min(room, rr[q + 1]);
            }
        }
        runsStale[b] = false;
    }

    /** Inserts v at pos of berth b; the caller has checked feasibility with {@link #insertionDelta}. */
    void insert(int v, int b, int pos) {
        int l = len[b];
        int[] sq = seq[b];
        System.arraycopy(sq, pos, sq, pos + 1, l - pos);
        System.arraycopy(start[b], pos, start[b], pos + 1, l - pos);
        System.arraycopy(end[b], pos, end[b], pos + 1, l - pos);
        sq[pos] = v;
        len[b] = l + 1;
        berthOf[v] = b;
        assignedCount++;
        if (p.tidal[v]) {
            tidalCount[b]++;
        }
        runsStale[b] = true;
        // Force re-timing of the inserted vessel.
        start[b][pos] = Long.MIN_VALUE;
        retime(b, pos);
    }

    /** Removes v from its berth; removal never breaks feasibility since starts only move earlier. */
    void remove(int v) {
        int b = berthOf[v];
        int l = len[b];
        int[] sq = seq[b];
        int pos = 0;
        while (sq[pos] != v) {
            pos++;
        }
        double removed = p.cost(v, end[b][pos]);
        berthCost[b] -= removed;
        cost -= removed;
        System.arraycopy(sq, pos + 1, sq, pos, l - pos - 1);
        System.arraycopy(start[b], pos + 1, start[b], pos, l - pos - 1);
        System.arraycopy(end[b], pos + 1, end[b], pos, l - pos - 1);
        len[b] = l - 1;
        berthOf[v] = -1;
        assignedCount--;
        if (p.tidal[v]) {
            tidalCount[b]--;
        }
        runsStale[b] = true;
        retime(b, pos);
    }

    /** Re-times berth b from position pos on, stopping at the first unchanged start. */
    private void retime(int b, int pos) {
        long ready = readyAt(b, pos);
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        boolean forced = pos < len[b] && st[pos] == Long.MIN_VALUE;
        for (int q = pos; q < len[b]; q++) {
            int u = sq[q];
            long su = p.earliestStart(u, b, ready);
            if (su == CompiledProblem.NONE) {
                throw new IllegalStateException("re-timing made vessel " + u + " infeasible at berth " + b);
            }
            if (su == st[q] && !(forced && q == pos)) {
                break;
            }
            work++;
            double was = (forced && q == pos) ? 0 : p.cost(u, en[q]);
            double now = p.cost(u, p.lastEnd);
            berthCost[b] += now - was;
            cost += now - was;
            st[q] = su;
            en[q] = p.lastEnd;
            ready = p.lastEnd;
        }
    }

    /** Rebuilds all times and costs from the sequences; the tests use it as the reference re-timing. */
    boolean retimeAll() {
        cost = 0;
        assignedCount = 0;
        Arrays.fill(berthOf, -1);
        for (int b = 0; b < len.length; b++) {
            long ready = Long.MIN_VALUE;
            berthCost[b] = 0;
            tidalCount[b] = 0;
            runsStale[b] = true;
            for (int q = 0; q < len[b]; q++) {
                int u = seq[b][q];
                long su = p.earliestStart(u, b, ready);
                if (su == CompiledProblem.NONE) {
                    return false;
                }
                start[b][q] = su;
                end[b][q] = p.lastEnd;
                ready = p.lastEnd;
                berthCost[b] += p.cost(u, p.lastEnd);
                berthOf[u] = b;
                assignedCount++;
                if (p.tidal[u]) {
                    tidalCount[b]++;
                }
            }
            cost += berthCost[b];
        }
        return true;
    }

    /** True when this state is better: more weight placed first, then lower cost. */
    boolean betterThan(Schedule other) {
        if (assignedCount != other.assignedCount) {
            return assignedCount > other.assignedCount;
        }
        return cost < other.cost - 1e-9;
    }
}
