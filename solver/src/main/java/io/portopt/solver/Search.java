package io.portopt.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Anytime search: best-insertion construction, then ruin-and-recreate (large neighbourhood search)
 * under simulated annealing, keeping the best plan found. Ruin removes random, time-related or
 * berth-segment groups of vessels, small, medium or large, chosen adaptively by the gain each
 * kind brought per unit of work; recreate puts them back at their cheapest feasible positions,
 * with occasional "blinks" that skip a position for diversity. Vessels left out are offered the
 * room each ruin frees, and may take the place of a longer vessel ({@link #ejectLongerFor}).
 * Before the annealing, when the construction leaves placeable vessels out, an ejection-pool
 * repair ({@link #placeMore}) aims straight at the number placed (and runs again now and then
 * from the plan the annealing has compacted); when every vessel is placed, {@link Polish}, a
 * relocate-and-swap descent, takes the start to a local optimum first. The last 3 % of a
 * time-limited search go to another {@link Polish} of the best plan.
 */
final class Search {
    /** Most vessels one ruin removes. */
    private static final int MAX_RUIN = 30;
    /** Most unassigned vessels added to one recreate, besides those the ruin removed. */
    private static final int UNASSIGNED_PER_STEP = 5;
    private static final double BLINK_RATE = 0.01;
    /** Chance that a left-out vessel the recreate cannot place tries to take a longer vessel's place. */
    private static final double EJECT_RATE = 0.5;
    /** Start and end temperature as fractions of the mean handling time of the problem. */
    private static final double START_TEMPERATURE = 1.0;
    private static final double END_TEMPERATURE = 0.01;
    /**
     * Ruin operators ("arms"): the three ruin kinds, each with a small, medium and large size
     * class ({@code SIZE_FROM[c] <= k < SIZE_FROM[c + 1]}).
     */
    private static final int[] SIZE_FROM = {1, 5, 13, MAX_RUIN + 1};
    private static final int SIZE_CLASSES = SIZE_FROM.length - 1;
    private static final int ARMS = 3 * SIZE_CLASSES;
    /** Share of steps that pick an arm uniformly, whatever the scores say. */
    private static final double ARM_EXPLORATION = 0.2;
    /** Steps between re-weighings of the arms, and the weight of the newest segment in the average. */
    private static final int SEGMENT = 50;
    private static final double REACTION = 0.3;
    /** Most of a time-limited search's budget the ejection-pool repair ({@link #placeMore}) may take. */
    private static final double POOL_SHARE = 0.5;
    /** Fruitless ejection-pool iterations allowed per vessel in the initial pool. */
    private static final int POOL_PATIENCE = 100;
    /** Annealing steps between later ejection-pool runs, and their patience. */
    private static final int REPOOL_STEPS = 100;
    private static final int REPOOL_PATIENCE = 3;
    /** Most of a time-limited search's budget the first descent ({@link Polish} of the start) may take. */
    private static final double DESCENT_SHARE = 0.25;
    /**
     * Share of a time-limited search's budget kept for the final {@link Polish}: the annealing ends
     * cold and a descent now runs first, so the last one has little left to do.
     */
    private static final double POLISH_SHARE = 0.03;

    private final CompiledProblem p;
    private final SplittableRandom random;
    private final Schedule cur;
    private final Schedule accepted;
    private final Schedule best;
    private final int[] removed;
    /** Earliest start among the vessels the current ruin removed. */
    private long ruinFrom;
    private final BestInsertion insertion;
    /** Per arm: selection weight, smoothed gain per unit of work (-1 = not tried yet), and this segment's sums. */
    private final double[] armScore = new double[ARMS];
    private final double[] armRate = new double[ARMS];
    private final double[] segmentGain = new double[ARMS];
    private final long[] segmentWork = new long[ARMS];
    private int segmentSteps;
    private int lastArm;
    private final int[] relatedCandidates;
    private final long[] relatedDistance;
    private final boolean[] touched;
    /** During a recreate, the berths the ruin took vessels from. */
    private final boolean[] freed;
    private final int[] touchedList;
    private int touchedCount;
    private final double meanHandling;
    /** Cost if every placeable vessel ended as early as it could on an empty berth: no plan beats it. */
    private volatile double lowerBound;
    private final int placeable;
    /** Per vessel, how often it failed to fit in the ejection pool, plus one ({@link #placeMore}). */
    private final int[] penalty;
    final SearchProgress progress = new SearchProgress();

    /** The best schedule so far (the search keeps changing it). */
    Schedule best() {
        return best;
    }

    Search(CompiledProblem p, long seed) {
        this.p = p;
        this.random = new SplittableRandom(seed);
        this.insertion = new BestInsertion(p, random);
        this.cur = new Schedule(p);
        this.accepted = new Schedule(p);
        this.best = new Schedule(p);
        this.removed = new int[p.vesselCount];
        this.relatedCandidates = new int[p.vesselCount];
        this.relatedDistance = new long[p.vesselCount];
        this.touched = new boolean[p.berthCount];
        this.freed = new boolean[p.berthCount];
        this.touchedList = new int[p.berthCount];
        double sum = 0;
        int count = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            for (int b : p.compatible[v]) {
                sum += p.handling[v][b] * p.weight[v];
                count++;
            }
        }
        this.meanHandling = count == 0 ? 1 : Math.max(1e-9, sum / count);
        double bound = 0;
        int canPlace = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.intrinsicReason[v] != null) {
                continue;
            }
            canPlace++;
            long earliestEnd = Long.MAX_VALUE;
            for (int b : p.compatible[v]) {
                if (p.earliestStart(v, b, Long.MIN_VALUE) != CompiledProblem.NONE) {
                    earliestEnd = Math.min(earliestEnd, p.lastEnd);
                }
            }
            bound += p.cost(v, earliestEnd);
        }
        this.lowerBound = bound;
        this.placeable = canPlace;
        this.penalty = new int[p.vesselCount];
        Arrays.fill(penalty, 1);
        Arrays.fill(armScore, 1.0);
        Arrays.fill(armRate, -1.0);
    }

    /** Vessels some plan can place (each fits an empty berth). */
    int placeable() {
        return placeable;
    }

    /**
     * A stronger bound (turnaround, every placeable vessel placed) than the search's own; from the
     * bound's thread while the search runs, when it has a helper core.
     */
    void raiseLowerBound(double bound) {
        synchronized (this) {
            lowerBound = Math.max(lowerBound, bound);
        }
    }

    /** True when the best plan provably cannot be improved: everything placed at its lower bound. */
    private boolean provenOptimal() {
        return best.assignedCount == placeable && best.cost <= lowerBound + 1e-9 * Math.max(1, Math.abs(lowerBound));
    }

    /**
     * Best-insertion construction, the start the search must never be worse than: vessels in order
     * of arrival, then (when some have a latest departure) of latest departure, then fewest
     * compatible berths first; the best of these plans (each a millisecond or so for 200 vessels).
     * Arrival order suits a port where waiting dominates; latest departure first places more vessels
     * when departures bind; the least flexible first helps when compatibility is tight. A vessel
     * that fits nowhere may take the place of a longer one ({@link #ejectLongerFor}).
     */
    Schedule construct() {
        boolean anyDue = false;
        boolean flexibilityVaries = false;
        for (int v = 0; v < p.vesselCount; v++) {
            anyDue |= p.due[v] != Long.MAX_VALUE && p.compatible[v].length > 0;
            flexibilityVaries |= p.compatible[v].length != p.compatible[0].length;
        }
        constructInOrder(v -> p.arrival[v]);
        best.copyFrom(cur);
        if (anyDue) {
            cur.clear();
            constructInOrder(v -> p.due[v]);
            if (cur.betterThan(best)) {
                best.copyFrom(cur);
            }
        }
        if (flexibilityVaries) {
            cur.clear();
            constructInOrder(v -> p.compatible[v].length);
            if (cur.betterThan(best)) {
                best.copyFrom(cur);
            }
        }
        cur.copyFrom(best);
        accepted.copyFrom(best);
        return best;
    }

    /** Inserts every vessel that has a compatible berth into {@link #cur}, by key, then arrival, then index. */
    private void constructInOrder(java.util.function.IntToLongFunction key) {
        int[] order = new int[p.vesselCount];
        int count = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.compatible[v].length > 0) {
                order[count++] = v;
            }
        }
        Integer[] boxed = new Integer[count];
        for (int i = 0; i < count; i++) {
            boxed[i] = order[i];
        }
        Arrays.sort(boxed, (a, b) -> {
            long ka = key.applyAsLong(a);
            long kb = key.applyAsLong(b);
            if (ka != kb) {
                return Long.compare(ka, kb);
            }
            return p.arrival[a] != p.arrival[b] ? Long.compare(p.arrival[a], p.arrival[b]) : Integer.compare(a, b);
        });
        for (int v : boxed) {
            if (insertion.insert(cur, v, 0.0) < 0) {
                ejectLongerFor(v, false);
            }
        }
    }

    /**
     * "Make room" for a vessel v that fits nowhere in {@link #cur} (after Moore and Hodgson's rule for
     * the number of late jobs): takes out the placed vessel with the longest stay among those that
     * stay longer than v would and overlap v's window at one of v's berths; if v then fits, the
     * ejected vessel goes to its cheapest feasible position, if any (one vessel more placed), else
     * it stays out (as many placed, with less berth time taken). If v still fits nowhere, all is put
     * back as it was. With {@code track}, the berths changed are marked for commit or rollback.
     * Returns whether v was placed.
     */
    private boolean ejectLongerFor(int v, boolean track) {
        int victim = -1;
        int victimBerth = -1;
        int victimPos = -1;
        long longest = 0;
        for (int b : p.compatible[v]) {
            long stayHere = p.handling[v][b];
            long from = Math.max(p.arrival[v], p.opens[b]);
            long until = Math.min(p.due[v], p.closes[b]);
            for (int q = BestInsertion.firstEndingAfter(cur.end[b], cur.len[b], from);
                 q < cur.len[b] && cur.start[b][q] < until; q++) {
                long stay = cur.end[b][q] - cur.start[b][q];
                if (stay > stayHere && stay > longest) {
                    longest = stay;
                    victim = cur.seq[b][q];
                    victimBerth = b;
                    victimPos = q;
                }
            }
        }
        if (victim < 0) {
            return false;
        }
        cur.remove(victim);
        int b = insertion.insert(cur, v, 0.0);
        if (b < 0) {
            // Same sequences again, so the same times.
            cur.insert(victim, victimBerth, victimPos);
            return false;
        }
        int elsewhere = insertion.insert(cur, victim, 0.0);
        progress.ejections++;
        if (track) {
            touch(victimBerth);
            touch(b);
            if (elsewhere >= 0) {
                touch(elsewhere);
            }
        }
        return true;
    }

    /** Starts the search from given berth sequences (a repaired plan); vessels left out are inserted. */
    Schedule constructFrom(int[][] sequences) {
        for (int b = 0; b < sequences.length; b++) {
            for (int v : sequences[b]) {
                if (cur.berthOf[v] < 0 && p.handling[v][b] >= 0
                        && cur.insertionDelta(v, b, cur.len[b], Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                    cur.insert(v, b, cur.len[b]);
                }
            }
        }
        for (int v = 0; v < p.vesselCount; v++) {
            if (cur.berthOf[v] < 0 && p.compatible[v].length > 0) {
                insertion.insert(cur, v, 0.0);
            }
        }
        accepted.copyFrom(cur);
        best.copyFrom(cur);
        return best;
    }

    /** Runs ruin-and-recreate until the deadline or step budget; returns the best schedule. */
    Schedule improve(long deadlineNanos, long maxSteps, long startNanos) {
        int n = p.vesselCount;
        if (n < 2 || p.berthCount == 0) {
            return best;
        }
        // The last share of the time is the polish's (at the end of this method): the annealing
        // cools down before it.
        long searchDeadline = deadlineNanos - (long) (POLISH_SHARE * Math.max(0, deadlineNanos - startNanos));
        long budgetNanos = Math.max(1, searchDeadline - startNanos);
        double t0 = START_TEMPERATURE * meanHandling;
        double t1 = END_TEMPERATURE * meanHandling;
        long step = 0;
        if (maxSteps > 0 && cur.assignedCount < placeable) {
            // A congested port: first place as many vessels as an ejection-pool repair can, in at
            // most a share of the budget; the annealing then works on the cost at that count.
            long poolDeadline = startNanos + (long) (POOL_SHARE * budgetNanos);
            placeMore(Math.min(poolDeadline, searchDeadline), POOL_PATIENCE);
            cur.copyFrom(best);
            accepted.copyFrom(best);
        }
        if (maxSteps > 0 && best.assignedCount == placeable) {
            // A descent first: relocate and swap moves take a constructed plan most of the way in
            // a few milliseconds, a better start for a short search. It stops at a local optimum,
            // well within a long budget; a short one (or a loaded machine) cuts it off at a quarter
            // (unbounded when steps bound the run). Skipped while vessels are left out: then the
            // budget goes to placing them (the pool above and the annealing with its re-runs).
            long descentDeadline = maxSteps == Long.MAX_VALUE
                    ? Math.min(searchDeadline, startNanos + (long) (DESCENT_SHARE * budgetNanos))
                    : deadlineNanos;
            if (new Polish(p, cur, insertion, descentDeadline).run() && cur.betterThan(best)) {
                best.copyFrom(cur);
                progress.improved(System.nanoTime(), best.cost, best.assignedCount);
            }
            accepted.copyFrom(cur);
        }
        insertion.startBlinking(BLINK_RATE);
        while (step < maxSteps && !provenOptimal()) {
            long now = System.nanoTime();
            if (now >= searchDeadline || ((step & 7) == 0 && p.stopped())) {
                break;
            }
            double frac = maxSteps == Long.MAX_VALUE
                    ? (double) (now - startNanos) / budgetNanos
                    : (double) step / maxSteps;
            double temperature = t0 * Math.pow(t1 / t0, Math.min(1.0, frac));
            step++;
            touchedCount = 0;
            long workBefore = cur.work;
            int k = ruin();
            recreate(k);
            reward(gain(), Math.max(1, cur.work - workBefore));
            if (acceptable(temperature)) {
                commit();
                if (cur.betterThan(best)) {
                    best.copyFrom(cur);
                    progress.improved(System.nanoTime(), best.cost, best.assignedCount);
                }
            } else {
                rollback();
            }
            if (step % REPOOL_STEPS == 0 && best.assignedCount < placeable && cur.assignedCount == best.assignedCount) {
                // Now and then, from the accepted plan the annealing has compacted, the pool again.
                int before = cur.assignedCount;
                placeMore(searchDeadline, REPOOL_PATIENCE);
                if (cur.assignedCount > before) {
                    accepted.copyFrom(cur);
                } else {
                    cur.copyFrom(accepted);
                }
            }
        }
        progress.steps = step;
        // No search steps means no change at all (construction only, repair that keeps its hint).
        if (maxSteps > 0 && new Polish(p, best, insertion, deadlineNanos).run()) {
            progress.improved(System.nanoTime(), best.cost, best.assignedCount);
        }
        return best;
    }

    /**
     * Ejection-pool repair, after Nagata and Bräysy's route minimisation: vessels left out wait in a
     * pool; one at a time, each is inserted at its cheapest feasible position if it has one, else it
     * takes the place of a placed vessel at one of its berths: the one that was ejected least often
     * so far (penalty counters, raised each time a vessel fails to fit, steer the chain away from
     * vessels that are hard to place), of those the longest stay. The ejected vessel goes to its
     * cheapest feasible position if it has one (one vessel more placed), else into the pool. The
     * number placed never drops; a swap at the same number is a plateau move that lets the next
     * vessels find room. Ends when the pool is empty, at the deadline, or after as many fruitless
     * iterations as the patience allows (per vessel in the pool at the start). Works on {@link #cur}
     * and updates {@link #best}; the caller decides which plan the annealing goes on from.
     */
    private void placeMore(long deadlineNanos, int patienceFactor) {
        int n = p.vesselCount;
        int[] pool = new int[n];
        int head = 0;
        int size = 0;
        for (int v = 0; v < n; v++) {
            if (cur.berthOf[v] < 0 && p.intrinsicReason[v] == null) {
                pool[size++] = v;
            }
        }
        boolean[] only = new boolean[p.berthCount];
        // Per vessel, the schedule's change count when it last failed to fit (-1: not tried yet).
        long[] failedAt = new long[n];
        Arrays.fill(failedAt, -1);
        long patience = patienceFactor * (long) size + 2L * p.berthCount;
        long sinceImproved = 0;
        for (long it = 0; size > 0 && sinceImproved < patience; it++) {
            if ((it & 7) == 0 && (System.nanoTime() >= deadlineNanos || p.stopped())) {
                break;
            }
            sinceImproved++;
            int v = pool[head];
            head = (head + 1) % n;
            size--;
            // v fitted nowhere when it last tried: only the berths changed since can take it now.
            boolean anyChanged = false;
            for (int b : p.compatible[v]) {
                boolean changed = cur.changedAt[b] > failedAt[v];
                only[b] = changed;
                anyChanged |= changed;
            }
            int placedAt = anyChanged ? insertion.insert(cur, v, 0.0, only) : -1;
            for (int b : p.compatible[v]) {
                only[b] = false;
            }
            if (placedAt >= 0) {
                if (cur.betterThan(best)) {
                    best.copyFrom(cur);
                    progress.improved(System.nanoTime(), best.cost, best.assignedCount);
                    sinceImproved = 0;
                }
                continue;
            }
            failedAt[v] = cur.changes;
            penalty[v]++;
            int bestU = -1;
            int bestB = -1;
            int bestKey = Integer.MAX_VALUE;
            long bestStay = -1;
            int ties = 0;
            for (int b : p.compatible[v]) {
                long from = Math.max(p.arrival[v], p.opens[b]);
                long until = Math.min(p.due[v], p.closes[b]);
                for (int q = BestInsertion.firstEndingAfter(cur.end[b], cur.len[b], from);
                     q < cur.len[b] && cur.start[b][q] < until; q++) {
                    int u = cur.seq[b][q];
                    long stay = cur.end[b][q] - cur.start[b][q];
                    int key = penalty[u];
                    if (key > bestKey || (key == bestKey && stay < bestStay) || !cur.fitsInPlaceOf(v, b, q)) {
                        continue;
                    }
                    if (key < bestKey || stay > bestStay) {
                        ties = 1;
                    } else if (random.nextInt(++ties) != 0) {
                        continue;
                    }
                    bestKey = key;
                    bestStay = stay;
                    bestU = u;
                    bestB = b;
                }
            }
            if (bestU < 0) {
                pool[(head + size) % n] = v;
                size++;
                continue;
            }
            cur.remove(bestU);
            only[bestB] = true;
            insertion.insert(cur, v, 0.0, only);
            only[bestB] = false;
            progress.ejections++;
            int elsewhere = insertion.insert(cur, bestU, 0.0);
            if (elsewhere < 0) {
                failedAt[bestU] = cur.changes;
            }
            if (elsewhere >= 0) {
                if (cur.betterThan(best)) {
                    best.copyFrom(cur);
                    progress.improved(System.nanoTime(), best.cost, best.assignedCount);
                    sinceImproved = 0;
                }
            } else {
                pool[(head + size) % n] = bestU;
                size++;
            }
        }
    }

    /** What the step gained over the accepted state: cost saved, or a large credit per extra vessel placed. */
    private double gain() {
        if (cur.assignedCount != accepted.assignedCount) {
            return Math.max(0, cur.assignedCount - accepted.assignedCount) * 10 * meanHandling;
        }
        return Math.max(0, accepted.cost - cur.cost);
    }

    private boolean acceptable(double temperature) {
        if (cur.assignedCount != accepted.assignedCount) {
            return cur.assignedCount > accepted.assignedCount;
        }
        double delta = cur.cost - accepted.cost;
        if (delta <= 0) {
            return true;
        }
        return random.nextDouble() < Math.exp(-delta / temperature);
    }

    private int ruin() {
        int assigned = cur.assignedCount;
        ruinFrom = Long.MAX_VALUE;
        if (assigned == 0) {
            return collectUnassigned(0);
        }
        int maxK = Math.min(MAX_RUIN, Math.max(2, assigned / 4 + 1));
        lastArm = pickArm();
        int strategy = lastArm / SIZE_CLASSES;
        int sizeClass = lastArm % SIZE_CLASSES;
        int from = SIZE_FROM[sizeClass];
        int k = Math.min(maxK, from + random.nextInt(SIZE_FROM[sizeClass + 1] - from));
        int count;
        if (strategy == 0) {
            count = ruinRandom(k);
        } else if (strategy == 1) {
            count = ruinRelated(k);
        } else {
            count = ruinSegment(k);
        }
        return collectUnassigned(count);
    }

    /**
     * Adaptive choice of the ruin operator (as in adaptive large neighbourhood search): arms are
     * drawn in proportion to the gain per unit of work they brought recently, and now and then
     * uniformly, so that the mix follows what pays on this problem at this stage of the search.
     * Work is counted in evaluations, not time, which keeps step-bounded runs deterministic.
     */
    private int pickArm() {
        double total = 0;
        for (double x : armScore) {
            total += x;
        }
        double u = random.nextDouble();
        if (total <= 0 || u < ARM_EXPLORATION) {
            return random.nextInt(ARMS);
        }
        double x = random.nextDouble() * total;
        for (int a = 0; a < ARMS; a++) {
            x -= armScore[a];
            if (x < 0) {
                return a;
            }
        }
        return ARMS - 1;
    }

    /** Credits the last arm with the step's gain and work; re-weighs the arms every segment. */
    private void reward(double gain, long work) {
        segmentGain[lastArm] += gain;
        segmentWork[lastArm] += work;
        if (++segmentSteps < SEGMENT) {
            return;
        }
        segmentSteps = 0;
        double max = 0;
        for (int a = 0; a < ARMS; a++) {
            if (segmentWork[a] > 0) {
                double rate = segmentGain[a] / segmentWork[a];
                armRate[a] = armRate[a] < 0 ? rate : (1 - REACTION) * armRate[a] + REACTION * rate;
            }
            max = Math.max(max, armRate[a]);
            segmentGain[a] = 0;
            segmentWork[a] = 0;
        }
        for (int a = 0; a < ARMS; a++) {
            // Arms not tried yet count as good as the best one.
            armScore[a] = armRate[a] < 0 ? max : armRate[a];
        }
    }

    /**
     * Adds a few unassigned (but placeable in principle) vessels to the recreate list: only ones
     * that could use the time the ruin freed (their latest departure is after the earliest removed
     * start; nothing before it has changed), at most {@link #UNASSIGNED_PER_STEP}, from a random
     * vessel on so that on a congested port every one of them gets its chances. A vessel that
     * fits nowhere costs a scan of every position, so trying all of them each step would slow the
     * search several times over on a heavily loaded port.
     */
    private int collectUnassigned(int count) {
        int n = p.vesselCount;
        if (cur.assignedCount + count == n) {
            return count;
        }
        long freedFrom = count == 0 ? Long.MIN_VALUE : ruinFrom;
        int limit = count + (count == 0 ? MAX_RUIN : UNASSIGNED_PER_STEP);
        int offset = random.nextInt(n);
        for (int i = 0; i < n && count < limit; i++) {
            int v = (offset + i) % n;
            if (cur.berthOf[v] < 0 && p.compatible[v].length > 0 && p.due[v] > freedFrom && !contains(count, v)) {
                removed[count++] = v;
            }
        }
        return count;
    }

    private boolean contains(int count, int v) {
        for (int i = 0; i < count; i++) {
            if (removed[i] == v) {
                return true;
            }
        }
        return false;
    }

    private int ruinRandom(int k) {
        int count = 0;
        int attempts = 0;
        while (count < k && attempts < 4 * k) {
            attempts++;
            int v = random.nextInt(p.vesselCount);
            if (cur.berthOf[v] >= 0) {
                removeVessel(v);
                removed[count++] = v;
            }
        }
        return count;
    }

    /** Removes vessels whose start lies close in time to a random seed vessel, across berths. */
    private int ruinRelated(int k) {
        int seedVessel = randomAssigned();
        if (seedVessel < 0) {
            return 0;
        }
        long seedStart = startOf(seedVessel);
        cur.work += (long) cur.assignedCount * (k + 1) / 8;
        int[] candidates = relatedCandidates;
        long[] distance = relatedDistance;
        int c = 0;
        // Distance in start time, with a little noise on one vessel in eight to vary the neighbourhood.
        for (int b = 0; b < p.berthCount; b++) {
            for (int q = 0; q < cur.len[b]; q++) {
                candidates[c] = cur.seq[b][q];
                distance[c] = Math.abs(cur.start[b][q] - seedStart)
                        + (random.nextInt(8) == 0 ? (long) (meanHandling * random.nextDouble()) : 0);
                c++;
            }
        }
        int count = 0;
        // Partial selection of the k nearest.
        for (int i = 0; i < k && i < c; i++) {
            int pick = i;
            long bestDistance = distance[i];
            for (int j = i + 1; j < c; j++) {
                if (distance[j] < bestDistance) {
                    bestDistance = distance[j];
                    pick = j;
                }
            }
            int tmpV = candidates[i];
            candidates[i] = candidates[pick];
            candidates[pick] = tmpV;
            long tmpD = distance[i];
            distance[i] = distance[pick];
            distance[pick] = tmpD;
            removeVessel(candidates[i]);
            removed[count++] = candidates[i];
        }
        return count;
    }

    /** Removes a run of consecutive vessels from one berth. */
    private int ruinSegment(int k) {
        int seedVessel = randomAssigned();
        if (seedVessel < 0) {
            return 0;
        }
        int b = cur.berthOf[seedVessel];
        int l = cur.len[b];
        int runLength = Math.min(k, l);
        int from = random.nextInt(l - runLength + 1);
        int count = 0;
        int[] run = Arrays.copyOfRange(cur.seq[b], from, from + runLength);
        for (int v : run) {
            removeVessel(v);
            removed[count++] = v;
        }
        return count;
    }

    private int randomAssigned() {
        for (int attempt = 0; attempt < 64; attempt++) {
            int v = random.nextInt(p.vesselCount);
            if (cur.berthOf[v] >= 0) {
                return v;
            }
        }
        for (int v = 0; v < p.vesselCount; v++) {
            if (cur.berthOf[v] >= 0) {
                return v;
            }
        }
        return -1;
    }

    private long startOf(int v) {
        int b = cur.berthOf[v];
        for (int q = 0; q < cur.len[b]; q++) {
            if (cur.seq[b][q] == v) {
                return cur.start[b][q];
            }
        }
        throw new IllegalStateException("vessel " + v + " not found at berth " + b);
    }

    private void removeVessel(int v) {
        touch(cur.berthOf[v]);
        ruinFrom = Math.min(ruinFrom, cur.remove(v));
    }

    private void recreate(int count) {
        int order = random.nextInt(4);
        if (order == 0) {
            shuffle(count);
        } else if (order == 1) {
            sortBy(count, v -> p.arrival[v]);
        } else if (order == 2) {
            sortBy(count, v -> -(long) (p.weight[v] * p.handling[v][p.compatible[v][0]] * 1000));
        } else {
            sortBy(count, v -> p.due[v] == Long.MAX_VALUE ? Long.MAX_VALUE : p.due[v] - p.arrival[v]);
        }
        // A vessel that was left out before this step fitted nowhere when last tried: only the
        // berths this ruin freed room at can have changed for it, so it is tried there alone
        // (on a congested port this makes steps several times cheaper). When it still fits
        // nowhere, it may take the place of a longer vessel now and then.
        int freedCount = touchedCount;
        for (int i = 0; i < freedCount; i++) {
            freed[touchedList[i]] = true;
        }
        for (int i = 0; i < count; i++) {
            int v = removed[i];
            boolean wasOut = accepted.berthOf[v] < 0;
            int b = insertion.insert(cur, v, BLINK_RATE, wasOut && freedCount > 0 ? freed : null);
            if (b >= 0) {
                touch(b);
            } else if (wasOut && random.nextDouble() < EJECT_RATE) {
                ejectLongerFor(v, true);
            }
        }
        for (int i = 0; i < freedCount; i++) {
            freed[touchedList[i]] = false;
        }
    }

    private void touch(int b) {
        if (!touched[b]) {
            touched[b] = true;
            touchedList[touchedCount++] = b;
        }
    }

    private void commit() {
        syncTouched(cur, accepted);
    }

    private void rollback() {
        syncTouched(accepted, cur);
    }

    /** Copies the touched berths from one schedule to the other and clears the touched set. */
    private void syncTouched(Schedule from, Schedule to) {
        for (int i = 0; i < touchedCount; i++) {
            int b = touchedList[i];
            for (int q = 0; q < to.len[b]; q++) {
                to.berthOf[to.seq[b][q]] = -1;
            }
        }
        for (int i = 0; i < touchedCount; i++) {
            int b = touchedList[i];
            to.copyBerthFrom(from, b);
            for (int q = 0; q < to.len[b]; q++) {
                to.berthOf[to.seq[b][q]] = b;
            }
            touched[b] = false;
        }
        to.assignedCount = from.assignedCount;
        to.cost = from.cost;
        touchedCount = 0;
    }

    private void shuffle(int count) {
        for (int i = count - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = removed[i];
            removed[i] = removed[j];
            removed[j] = tmp;
        }
    }

    private void sortBy(int count, java.util.function.IntToLongFunction key) {
        // Insertion sort: the removed set is small.
        for (int i = 1; i < count; i++) {
            int v = removed[i];
            long kv = key.applyAsLong(v);
            int j = i - 1;
            while (j >= 0 && key.applyAsLong(removed[j]) > kv) {
                removed[j + 1] = removed[j];
                j--;
            }
            removed[j + 1] = v;
        }
    }

    /** Best-so-far trace and step count of one search. */
    static final class SearchProgress {
        final List<long[]> improvements = new ArrayList<>();
        long steps;
        /** Vessels that took the place of a longer one (construction and search), for tests and statistics. */
        long ejections;

        /** Run on every new best (the caller's progress listener), or null. */
        Runnable onImprovement;

        void improved(long nanos, double cost, int assigned) {
            improvements.add(new long[] {nanos, Math.round(cost), assigned});
            if (onImprovement != null) {
                onImprovement.run();
            }
        }
    }
}
