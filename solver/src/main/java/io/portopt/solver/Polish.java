package io.portopt.solver;

import java.util.Arrays;

/**
 * Local descent that finishes a plan: relocate (take a vessel out and put it back at its cheapest
 * position, on any berth) and swap (two vessels at different berths whose stays overlap in time
 * trade places), first improvement, pass after pass until no move improves or time is up.
 * Ruin-and-recreate finds such moves only by chance, and a short search ends before it has tried
 * them all: checking each once is cheap (a few milliseconds for 200 vessels) and often finds some
 * that the annealing missed.
 * Every move keeps the schedule feasible; unassigned vessels are offered a slot in every pass.
 */
final class Polish {
    private static final int MAX_PASSES = 20;

    private final CompiledProblem p;
    private final Schedule s;
    private final BestInsertion insertion;
    private final long deadlineNanos;
    private final int[] byStart;
    /** Per vessel, its start when the pass began. */
    private final long[] startKey;
    /** Moves that improved the schedule, for the statistics. */
    int improvements;

    Polish(CompiledProblem p, Schedule s, BestInsertion insertion, long deadlineNanos) {
        this.p = p;
        this.s = s;
        this.insertion = insertion;
        this.deadlineNanos = deadlineNanos;
        this.byStart = new int[p.vesselCount];
        this.startKey = new long[p.vesselCount];
    }

    /** Runs passes until one improves nothing or the deadline; returns whether the schedule improved. */
    boolean run() {
        int before = improvements;
        for (int pass = 0; pass < MAX_PASSES && !timeUp(); pass++) {
            int atStart = improvements;
            relocatePass();
            swapPass();
            if (improvements == atStart) {
                break;
            }
        }
        return improvements > before;
    }

    private boolean timeUp() {
        return System.nanoTime() >= deadlineNanos || p.stopped();
    }

    /** Relocates every vessel once, and tries to place every unassigned one. */
    private void relocatePass() {
        for (int v = 0; v < p.vesselCount; v++) {
            if ((v & 15) == 0 && timeUp()) {
                return;
            }
            if (s.berthOf[v] >= 0) {
                double before = s.cost;
                int oldBerth = s.berthOf[v];
                int oldPos = s.indexOf(v);
                s.remove(v);
                // The old position is among the candidates: the cost can only go down, as far as
                // the insertion's estimate sees. A replan's stability term of the vessels pushed
                // back is not in that estimate, so there the exact cost decides, and a move that
                // made it worse is undone (re-inserting at the old place restores the old plan).
                insertion.insert(s, v, 0.0);
                if (s.cost < before - tolerance(before)) {
                    improvements++;
                } else if (p.stable && s.cost > before + tolerance(before) && s.berthOf[v] >= 0) {
                    s.remove(v);
                    s.insert(v, oldBerth, oldPos);
                }
            } else if (p.compatible[v].length > 0 && insertion.insert(s, v, 0.0) >= 0) {
                improvements++;
            }
        }
    }

    /** Tries every swap of two vessels at different berths whose stays overlap. */
    private void swapPass() {
        int count = sortAssignedByStart();
        for (int i = 0; i < count; i++) {
            if ((i & 7) == 0 && timeUp()) {
                return;
            }
            for (int j = i + 1; j < count; j++) {
                int u = byStart[i];
                int v = byStart[j];
                if (startKey[v] >= endOf(u)) {
                    break; // sorted by start: no later vessel overlaps u either
                }
                if (trySwap(u, v)) {
                    improvements++;
                }
            }
        }
    }

    /** Assigned vessels in order of their start when the pass begins; returns their number. */
    private int sortAssignedByStart() {
        Integer[] order = new Integer[s.assignedCount];
        int count = 0;
        for (int b = 0; b < p.berthCount; b++) {
            for (int q = 0; q < s.len[b]; q++) {
                startKey[s.seq[b][q]] = s.start[b][q];
                order[count++] = s.seq[b][q];
            }
        }
        Arrays.sort(order, (x, y) -> startKey[x] != startKey[y] ? Long.compare(startKey[x], startKey[y]) : Integer.compare(x, y));
        for (int i = 0; i < count; i++) {
            byStart[i] = order[i];
        }
        return count;
    }

    /** Swaps u and v when both fit the other's place and the plan gets cheaper; else leaves all as it was. */
    private boolean trySwap(int u, int v) {
        int bu = s.berthOf[u];
        int bv = s.berthOf[v];
        if (bu < 0 || bv < 0 || bu == bv || p.handling[u][bv] < 0 || p.handling[v][bu] < 0) {
            return false;
        }
        int pu = s.indexOf(u);
        int pv = s.indexOf(v);
        double before = s.cost;
        s.remove(u);
        s.remove(v);
        boolean vPlaced = false;
        boolean uPlaced = false;
        if (s.insertionDelta(v, bu, pu, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
            s.insert(v, bu, pu);
            vPlaced = true;
            if (s.insertionDelta(u, bv, pv, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                s.insert(u, bv, pv);
                uPlaced = true;
                if (s.cost < before - tolerance(before)) {
                    return true;
                }
            }
        }
        // Undo: the original sequences, re-timed, are exactly the original plan.
        if (uPlaced) {
            s.remove(u);
        }
        if (vPlaced) {
            s.remove(v);
        }
        s.insert(u, bu, pu);
        s.insert(v, bv, pv);
        return false;
    }

    private long endOf(int v) {
        int b = s.berthOf[v];
        return b < 0 ? Long.MIN_VALUE : s.end[b][s.indexOf(v)];
    }

    private static double tolerance(double cost) {
        return 1e-9 * Math.max(1, Math.abs(cost));
    }
}
