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
    }

    long readyAt(int b, int pos) {
        return pos == 0 ? Long.MIN_VALUE : end[b][pos - 1];
    }

    /**
     * Cost increase of inserting v at position pos of berth b, or +infinity when infeasible or when
     * it would exceed {@code bound} (the search only wants insertions cheaper than that).
     */
    double insertionDelta(int v, int b, int pos, double bound) {
        long s = p.earliestStart(v, b, readyAt(b, pos));
        if (s == CompiledProblem.NONE) {
            return Double.POSITIVE_INFINITY;
        }
        long ready = p.lastEnd;
        double delta = p.cost(v, ready);
        if (delta >= bound) {
            return Double.POSITIVE_INFINITY;
        }
        int[] sq = seq[b];
        long[] st = start[b];
        long[] en = end[b];
        for (int q = pos; q < len[b]; q++) {
            int u = sq[q];
            if (st[q] >= ready) {
                return delta; // the rest of the berth is untouched
            }
            long su = p.earliestStart(u, b, ready);
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
            double was = (forced && q == pos) ? 0 : p.cost(u, en[q]);
            double now = p.cost(u, p.lastEnd);
            berthCost[b] += now - was;
            cost += now - was;
            st[q] = su;
            en[q] = p.lastEnd;
            ready = p.lastEnd;
        }
    }

    /** Rebuilds all times and costs from the sequences (used after loading an order from outside). */
    boolean retimeAll() {
        cost = 0;
        assignedCount = 0;
        Arrays.fill(berthOf, -1);
        for (int b = 0; b < len.length; b++) {
            long ready = Long.MIN_VALUE;
            berthCost[b] = 0;
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
