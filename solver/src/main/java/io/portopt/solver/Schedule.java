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
    /** Changes so far (inserts, removals, copies), and per berth the count when it last changed. */
    long changes;
    final long[] changedAt;
    /**
     * Per berth, for the delay evaluation of {@link #insertionDelta} ({@link #delayCost}): from each
     * position to the end of its run of back-to-back vessels, the run end, the total weight and the
     * least room (how far the vessels can be delayed as a block). Rebuilt lazily after a berth
     * changes, from the first changed position on ({@code staleFrom}; {@link #FRESH} when up to date).
     */
    private final int[][] runEnd;
    private final double[][] runWeight;
    private final long[][] runRoom;
    private final int[] staleFrom;
    private static final int FRESH = Integer.MAX_VALUE;

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
        // Allocated on first use: only the schedule the search inserts into ever needs them.
        runEnd = new int[p.berthCount][];
        runWeight = new double[p.berthCount][];
        runRoom = new long[p.berthCount][];
        staleFrom = new int[p.berthCount];
        changedAt = new long[p.berthCount];
    }

    /** Empties every berth. */
    void clear() {
        Arrays.fill(len, 0);
        Arrays.fill(berthOf, -1);
        Arrays.fill(berthCost, 0);
        Arrays.fill(staleFrom, 0);
        Arrays.fill(changedAt, ++changes);
        assignedCount = 0;
        cost = 0;
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
        staleFrom[b] = 0;
        changedAt[b] = ++changes;
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
        double delta = p.cost(v, b, s, ready);
        if (delta >= bound) {
            return Double.POSITIVE_INFINITY;
        }
        return delta + delayCost(b, pos, ready, bound - delta);
    }

    /**
     * Whether v can take the place of the vessel at position q of berth b: v fits behind the vessel
     * before q, and the vessels after q keep feasible times behind v (checked as a delay, without
     * changing anything).
     */
    boolean fitsInPlaceOf(int v, int b, int q) {
        work++;
        if (p.earliestStart(v, b, readyAt(b, q)) == CompiledProblem.NONE) {
            return false;
        }
        long ready = p.lastEnd;
        return ready <= end[b][q] || delayCost(b, q + 1, ready, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY;
    }

    /**
     * Cost of delaying the vessels of berth b from position pos on when the vessel before pos now
     * leaves at {@code ready}, or +infinity when a limit breaks or the cost reaches {@code bound};
     * stops at the first vessel whose start does not change.
     * <p>
     * A delay passes unchanged through a run of back-to-back vessels as long as none of them is
     * tide-bound, runs into a closure or passes its limit (the run's {@code runRoom}), and shrinks by
     * the idle time before the next run: such a run costs one multiplication instead of one timing
     * per vessel. A vessel where that shortcut does not hold is timed exactly, and the walk goes on
     * from the next one. So berths with closures and tides get the shortcut too, wherever it applies.
     */
    private double delayCost(int b, int pos, long ready, double bound) {
        int l = len[b];
        if (pos >= l || ready <= start[b][pos]) {
            return 0;
        }
        if (staleFrom[b] != FRESH) {
            rebuildRuns(b);
        }
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        int[] re = runEnd[b];
        double[] rw = runWeight[b];
        long[] rr = runRoom[b];
        double delta = 0;
        int q = pos;
        while (q < l) {
            long shift = ready - st[q];
            if (shift <= 0) {
                return delta;
            }
            work++;
            if (shift <= rr[q]) {
                delta += shift * rw[q];
                q = re[q];
                ready = en[q - 1] + shift;
            } else {
                int u = sq[q];
                if (p.earliestStart(u, b, ready) == CompiledProblem.NONE) {
                    return Double.POSITIVE_INFINITY;
                }
                delta += p.weight[u] * (p.lastEnd - en[q]);
                ready = p.lastEnd;
                q++;
            }
            if (delta >= bound) {
                return Double.POSITIVE_INFINITY;
            }
        }
        return delta;
    }

    /**
     * Rebuilds the run tables of berth b for {@link #delayCost}. A vessel's room is how far it can
     * be delayed as a whole: up to its limit (latest departure, berth closing) and up to the next
     * closure after its end (a closure before its end would overlap its stay). A tide-bound vessel
     * has no room, as its stay does not simply shift, and forms a run of its own.
     */
    private void rebuildRuns(int b) {
        int l = len[b];
        if (runEnd[b] == null) {
            int capacity = seq[b].length;
            runEnd[b] = new int[capacity];
            runWeight[b] = new double[capacity];
            runRoom[b] = new long[capacity];
            staleFrom[b] = 0;
        }
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        int[] re = runEnd[b];
        double[] rw = runWeight[b];
        long[] rr = runRoom[b];
        // Positions before the change keep their values, except those in the run that reaches it
        // (the vessel just before the change may now join or leave the run after it): rebuild from
        // the start of that run on. Earlier runs end before it and do not depend on what follows.
        int from = Math.max(0, Math.min(staleFrom[b], l) - 1);
        while (from > 0 && joins(b, from - 1)) {
            from--;
        }
        work += 1 + (l - from) / 4;
        long close = p.closes[b];
        long[] closureFrom = p.closureFrom[b];
        int c = 0;
        for (int q = from; q < l; q++) {
            int u = sq[q];
            if (p.tidal[u]) {
                rr[q] = 0;
                continue;
            }
            long limit = Math.min(close, p.due[u]);
            long room = limit == Long.MAX_VALUE ? Long.MAX_VALUE : limit - en[q];
            while (c < closureFrom.length && closureFrom[c] < en[q]) {
                c++;
            }
            if (c < closureFrom.length) {
                room = Math.min(room, closureFrom[c] - en[q]);
            }
            rr[q] = room;
        }
        for (int q = l - 1; q >= from; q--) {
            boolean joinsNext = q < l - 1 && joins(b, q);
            if (joinsNext) {
                re[q] = re[q + 1];
                rw[q] = p.weight[sq[q]] + rw[q + 1];
                rr[q] = Math.min(rr[q], rr[q + 1]);
            } else {
                re[q] = q + 1;
                rw[q] = p.weight[sq[q]];
            }
        }
        staleFrom[b] = FRESH;
    }

    /** Whether the vessel at q of berth b and the next one form one run (back to back, neither tide-bound). */
    private boolean joins(int b, int q) {
        return start[b][q + 1] == end[b][q] && !p.tidal[seq[b][q]] && !p.tidal[seq[b][q + 1]];
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
        staleFrom[b] = Math.min(staleFrom[b], pos);
        changedAt[b] = ++changes;
        // Force re-timing of the inserted vessel.
        start[b][pos] = Long.MIN_VALUE;
        retime(b, pos);
    }

    /** Position of v in its berth's sequence; v must be assigned. */
    int indexOf(int v) {
        int[] sq = seq[berthOf[v]];
        int pos = 0;
        while (sq[pos] != v) {
            pos++;
        }
        return pos;
    }

    /**
     * Removes v from its berth and returns the start it had; removal never breaks feasibility
     * since starts only move earlier.
     */
    long remove(int v) {
        int b = berthOf[v];
        int l = len[b];
        int[] sq = seq[b];
        int pos = indexOf(v);
        long removedStart = start[b][pos];
        double removed = p.cost(v, b, removedStart, end[b][pos]);
        berthCost[b] -= removed;
        cost -= removed;
        System.arraycopy(sq, pos + 1, sq, pos, l - pos - 1);
        System.arraycopy(start[b], pos + 1, start[b], pos, l - pos - 1);
        System.arraycopy(end[b], pos + 1, end[b], pos, l - pos - 1);
        len[b] = l - 1;
        berthOf[v] = -1;
        assignedCount--;
        staleFrom[b] = Math.min(staleFrom[b], pos);
        changedAt[b] = ++changes;
        retime(b, pos);
        return removedStart;
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
            double was = (forced && q == pos) ? 0 : p.cost(u, b, st[q], en[q]);
            double now = p.cost(u, b, su, p.lastEnd);
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
            staleFrom[b] = 0;
            changedAt[b] = ++changes;
            for (int q = 0; q < len[b]; q++) {
                int u = seq[b][q];
                long su = p.earliestStart(u, b, ready);
                if (su == CompiledProblem.NONE) {
                    return false;
                }
                start[b][q] = su;
                end[b][q] = p.lastEnd;
                ready = p.lastEnd;
                berthCost[b] += p.cost(u, b, su, p.lastEnd);
                berthOf[u] = b;
                assignedCount++;
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
