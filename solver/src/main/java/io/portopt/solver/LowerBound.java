package io.portopt.solver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A value no plan can beat, from a Lagrangian relaxation of the time-indexed formulation of the
 * berth allocation problem (after Fisher's relaxation for scheduling, as in van den Akker, Hurkens
 * and Savelsbergh's time-indexed bounds): time is cut into buckets of {@code g} time units; vessel
 * j starting at berth b in bucket k occupies that berth for {@code floor(h_jb / g)} buckets and costs
 * at least {@code w_j (max(bucket start, earliest start) + h_jb - a_j)}. The constraint "each vessel
 * once" is priced out with multipliers; what is left splits by berth into a shortest path over the
 * buckets (each bucket idle, or the start of the cheapest-after-prices vessel), solved exactly by
 * dynamic programming. Every feasible plan maps to such a path at no higher cost (starts and lengths
 * rounded down to buckets keep a berth's stays apart, and closures, tides and stability only add),
 * so for any multipliers the value is a valid bound; a subgradient ascent raises it.
 *
 * <p>Vessels of zero weight are dropped (removing a vessel from a plan never raises its cost).
 * Starts later than the incumbent allows are cut: such a plan would cost more than the incumbent,
 * which is itself at least the bound. When the incumbent leaves placeable vessels out, each vessel
 * may stay out at a penalty {@code M}: the bound then holds for every plan that places at least as
 * many vessels, after subtracting {@code M} for each vessel the final plan leaves out.
 */
final class LowerBound {
    /** Buckets per berth at most: the time step grows with the horizon to keep one pass cheap. */
    static final int MAX_BUCKETS = 2048;
    /** Measured on the Kramer instances (150 iterations): halving after 5 idle steps, deflection 0.7. */
    private static final int PATIENCE = 5;
    private static final double DEFLECTION = 0.7;
    private static final double MIN_STEP_FACTOR = 1e-3;
    /** Restarts double the patience up to this; each starts at this step factor. */
    private static final int MAX_PATIENCE = 80;
    private static final double RESTART_FACTOR = 0.25;

    /**
     * The bound found. {@code value} is in the search problem's objective units (turnaround only);
     * {@code penalty} is M (infinite when every placeable vessel must be placed).
     */
    record Result(double value, double penalty, int iterations, long bucketWidth, boolean converged) {
        /** The bound for plans leaving at most {@code unplaced} placeable vessels out. */
        double forUnplaced(int unplaced) {
            if (unplaced == 0 || Double.isInfinite(penalty)) {
                return unplaced == 0 ? value : Double.NEGATIVE_INFINITY;
            }
            return value - penalty * unplaced;
        }
    }

    private final CompiledProblem p;
    private final double penalty;
    private final long t0;
    private final long g;
    private final int buckets;
    /** Vessels in the relaxation, and per vessel its pairs' cheapest cost (the multipliers' start). */
    private final int[] vessels;
    private final BerthPairs[] berths;
    /** Per vessel slot, the cheapest stay at a berth shorter than one bucket (no capacity used), or +inf. */
    private final double[] shortCost;

    /** The (vessel, berth) pairs of one berth, latest last bucket first (the DP sweeps backwards). */
    private static final class BerthPairs {
        int count;
        int[] slot = new int[8];
        int[] first = new int[8];
        int[] last = new int[8];
        int[] length = new int[8];
        double[] weight = new double[8];
        /** Earliest start, relative to t0. */
        long[] earliest = new long[8];
        /** w (h - a), relative to t0: the cost at start s is weight * s + offset. */
        double[] offset = new double[8];

        void add(int s, int k0, int k1, int len, double w, long earliestRel, double off) {
            if (count == slot.length) {
                int n = count * 2;
                slot = Arrays.copyOf(slot, n);
                first = Arrays.copyOf(first, n);
                last = Arrays.copyOf(last, n);
                length = Arrays.copyOf(length, n);
                weight = Arrays.copyOf(weight, n);
                earliest = Arrays.copyOf(earliest, n);
                offset = Arrays.copyOf(offset, n);
            }
            slot[count] = s;
            first[count] = k0;
            last[count] = k1;
            length[count] = len;
            weight[count] = w;
            earliest[count] = earliestRel;
            offset[count] = off;
            count++;
        }

        /** Pair indices by first bucket, latest first (each is priced exactly at its first bucket). */
        int[] byFirst;
        /** Pairs of equal length and weight form a group: later buckets need only the group's cheapest. */
        int groupCount;
        int[] group;
        int[] groupLength;
        double[] groupWeight;
        int[][] heap;
        int[] heapSize;
        /** Per sweep: offset minus the vessel's price, the heaps' key. */
        double[] adjusted;

        void finish() {
            Integer[] order = new Integer[count];
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (x, y) -> Integer.compare(last[y], last[x]));
            slot = permute(slot, order);
            first = permute(first, order);
            last = permute(last, order);
            length = permute(length, order);
            weight = permute(weight, order);
            earliest = permute(earliest, order);
            offset = permute(offset, order);
            Integer[] firstOrder = new Integer[count];
            for (int i = 0; i < count; i++) {
                firstOrder[i] = i;
            }
            Arrays.sort(firstOrder, (x, y) -> Integer.compare(first[y], first[x]));
            byFirst = Arrays.stream(firstOrder).mapToInt(Integer::intValue).toArray();
            java.util.Map<String, Integer> ids = new java.util.HashMap<>();
            group = new int[count];
            List<int[]> sizes = new ArrayList<>();
            List<Integer> lengths = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int li = length[i];
                double wi = weight[i];
                Integer id = ids.computeIfAbsent(li + "/" + wi, k -> {
                    lengths.add(li);
                    weights.add(wi);
                    sizes.add(new int[1]);
                    return lengths.size() - 1;
                });
                group[i] = id;
                sizes.get(id)[0]++;
            }
            groupCount = lengths.size();
            groupLength = lengths.stream().mapToInt(Integer::intValue).toArray();
            groupWeight = weights.stream().mapToDouble(Double::doubleValue).toArray();
            heap = new int[groupCount][];
            for (int gi = 0; gi < groupCount; gi++) {
                heap[gi] = new int[sizes.get(gi)[0]];
            }
            heapSize = new int[groupCount];
            adjusted = new double[count];
        }

        private static int[] permute(int[] a, Integer[] order) {
            int[] out = new int[order.length];
            for (int i = 0; i < order.length; i++) {
                out[i] = a[order[i]];
            }
            return out;
        }

        private static long[] permute(long[] a, Integer[] order) {
            long[] out = new long[order.length];
            for (int i = 0; i < order.length; i++) {
                out[i] = a[order[i]];
            }
            return out;
        }

        private static double[] permute(double[] a, Integer[] order) {
            double[] out = new double[order.length];
            for (int i = 0; i < order.length; i++) {
                out[i] = a[order[i]];
            }
            return out;
        }

        void push(int gi, int q) {
            int[] h = heap[gi];
            int i = heapSize[gi]++;
            double key = adjusted[q];
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (adjusted[h[parent]] <= key) {
                    break;
                }
                h[i] = h[parent];
                i = parent;
            }
            h[i] = q;
        }

        void pop(int gi) {
            int[] h = heap[gi];
            int n = --heapSize[gi];
            if (n == 0) {
                return;
            }
            int q = h[n];
            double key = adjusted[q];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) {
                    break;
                }
                if (c + 1 < n && adjusted[h[c + 1]] < adjusted[h[c]]) {
                    c++;
                }
                if (adjusted[h[c]] >= key) {
                    break;
                }
                h[i] = h[c];
                i = c;
            }
            h[i] = q;
        }
    }

    private LowerBound(CompiledProblem p, double incumbentCost, int incumbentUnplaced) {
        this.p = p;
        boolean forced = incumbentUnplaced == 0;
        List<Integer> in = new ArrayList<>();
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.intrinsicReason[v] == null && p.weight[v] > 0) {
                in.add(v);
            }
        }
        vessels = in.stream().mapToInt(Integer::intValue).toArray();
        // Each vessel's cheapest stay alone, and the latest end it can have in any plan placing
        // everything that costs no more than the incumbent.
        double[] alone = new double[vessels.length];
        long[] latestEndByDeadline = new long[vessels.length];
        long minStart = Long.MAX_VALUE;
        double maxAtDeadline = 0;
        boolean allDeadlined = true;
        for (int s = 0; s < vessels.length; s++) {
            int v = vessels[s];
            alone[s] = Double.POSITIVE_INFINITY;
            latestEndByDeadline[s] = Long.MIN_VALUE;
            for (int b : p.compatible[v]) {
                long start = p.earliestStart(v, b, Long.MIN_VALUE);
                if (start == CompiledProblem.NONE) {
                    continue;
                }
                alone[s] = Math.min(alone[s], p.cost(v, p.lastEnd));
                minStart = Math.min(minStart, start);
                latestEndByDeadline[s] = Math.max(latestEndByDeadline[s], Math.min(p.closes[b], p.due[v]));
            }
            if (latestEndByDeadline[s] == Long.MAX_VALUE) {
                allDeadlined = false;
            } else {
                maxAtDeadline = Math.max(maxAtDeadline, p.cost(v, latestEndByDeadline[s]));
            }
        }
        this.penalty = forced ? Double.POSITIVE_INFINITY : allDeadlined ? maxAtDeadline : 2 * Math.max(1, incumbentCost);
        double ub = forced ? incumbentCost : incumbentCost + penalty * incumbentUnplaced;
        this.target = ub;
        double sumOthersFloor = 0;
        for (int s = 0; s < vessels.length; s++) {
            sumOthersFloor += Math.min(alone[s], penalty);
        }
        t0 = minStart == Long.MAX_VALUE ? 0 : minStart;
        // Latest end per vessel by cost: a later end alone would cost more than the incumbent with
        // every other vessel at its cheapest. Per pair, also the berth's closing and the deadline.
        long[] latestEndByCost = new long[vessels.length];
        long horizon = 0;
        for (int s = 0; s < vessels.length; s++) {
            int v = vessels[s];
            double room = (ub - (sumOthersFloor - Math.min(alone[s], penalty))) / p.weight[v];
            latestEndByCost[s] = room >= (double) (Long.MAX_VALUE / 4) ? Long.MAX_VALUE / 4
                    : p.arrival[v] + (long) Math.floor(room + 1e-9);
            for (int b : p.compatible[v]) {
                long lastStart = latestStart(v, b, latestEndByCost[s]);
                if (lastStart >= t0) {
                    horizon = Math.max(horizon, lastStart - t0 + 1);
                }
            }
        }
        g = Math.max(1, (horizon + MAX_BUCKETS - 1) / MAX_BUCKETS);
        buckets = (int) Math.max(1, Math.min(MAX_BUCKETS + 1, (horizon + g - 1) / g));
        berths = new BerthPairs[p.berthCount];
        for (int b = 0; b < p.berthCount; b++) {
            berths[b] = new BerthPairs();
        }
        shortCost = new double[vessels.length];
        Arrays.fill(shortCost, Double.POSITIVE_INFINITY);
        for (int s = 0; s < vessels.length; s++) {
            int v = vessels[s];
            for (int b : p.compatible[v]) {
                long start = p.earliestStart(v, b, Long.MIN_VALUE);
                if (start == CompiledProblem.NONE) {
                    continue;
                }
                long h = p.handling[v][b];
                long lastStart = latestStart(v, b, latestEndByCost[s]);
                if (lastStart < start) {
                    continue;
                }
                long len = h / g;
                if (len == 0) {
                    // Shorter than a bucket: it uses no capacity here, so it may only count once.
                    shortCost[s] = Math.min(shortCost[s], p.cost(v, p.lastEnd));
                    continue;
                }
                int k0 = (int) ((start - t0) / g);
                int k1 = (int) Math.min(buckets - 1, (lastStart - t0) / g);
                double w = p.weight[v];
                berths[b].add(s, k0, k1, (int) Math.min(len, buckets), w, start - t0, w * (h - (p.arrival[v] - t0)));
            }
        }
        for (BerthPairs bp : berths) {
            bp.finish();
        }
        alone0 = alone;
    }

    private final double[] alone0;

    private long latestStart(int v, int b, long latestEndByCost) {
        return Math.min(Math.min(p.closes[b], p.due[v]), latestEndByCost) - p.handling[v][b];
    }
    /** The incumbent's value in the relaxation's terms (with M per vessel left out): the ascent's target. */
    private final double target;

    /**
     * The bound, by subgradient ascent with Polyak steps towards the incumbent's turnaround cost
     * ({@code incumbentUnplaced} placeable vessels left out), until {@code deadlineNanos}, until
     * {@code maxIterations}, or until the steps no longer move it.
     */
    static Result compute(CompiledProblem p, double[] incumbentCosts, long deadlineNanos, int maxIterations) {
        return prepare(p, incumbentCosts).ascend(deadlineNanos, maxIterations, () -> false, v -> { });
    }

    /**
     * The relaxation for this incumbent ({@code incumbentCosts}: each vessel's turnaround, NaN when
     * left out), ready to {@link #ascend}. Uses the problem's timing rule, so it runs on the solve's
     * thread; the ascent itself touches only its own arrays and may run on another.
     */
    static LowerBound prepare(CompiledProblem p, double[] incumbentCosts) {
        double cost = 0;
        int unplaced = 0;
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.intrinsicReason[v] == null && Double.isNaN(incumbentCosts[v])) {
                unplaced++;
            } else if (!Double.isNaN(incumbentCosts[v])) {
                cost += incumbentCosts[v];
            }
        }
        return new LowerBound(p, cost, unplaced);
    }

    /**
     * Subgradient ascent until the deadline, {@code maxIterations}, {@code stop}, or until the steps
     * no longer move the bound; {@code improved} hears each better value as it is found. When the
     * steps stall before the time is up, it restarts from the best multipliers with twice the
     * patience (slower, finer steps), up to {@link #MAX_PATIENCE}. (Aiming the steps at the search's
     * best plan instead of the construction was measured and made the bound worse: smaller steps.)
     */
    Result ascend(long deadlineNanos, int maxIterations, java.util.function.BooleanSupplier stop,
                  java.util.function.DoubleConsumer improved) {
        int n = vessels.length;
        if (n == 0) {
            return new Result(0, penalty, 0, g, true);
        }
        double[] lambda = new double[n];
        for (int s = 0; s < n; s++) {
            double a = Double.isInfinite(alone0[s]) ? 0 : alone0[s];
            lambda[s] = a;
        }
        int[] count = new int[n];
        double[] f = new double[buckets + 1];
        int[] choice = new int[buckets];
        double best = Double.NEGATIVE_INFINITY;
        double[] bestLambda = lambda.clone();
        double factor = 1.0;
        int patience = PATIENCE;
        int sinceBest = 0;
        int iterations = 0;
        boolean converged = false;
        double[] direction = new double[n];
        double aim = target;
        while (iterations < maxIterations) {
            iterations++;
            Arrays.fill(count, 0);
            double value = 0;
            for (int s = 0; s < n; s++) {
                value += lambda[s];
                if (shortCost[s] - lambda[s] < 0) {
                    value += shortCost[s] - lambda[s];
                    count[s]++;
                }
                if (!Double.isInfinite(penalty) && penalty - lambda[s] < 0) {
                    value += penalty - lambda[s];
                    count[s]++;
                }
            }
            for (BerthPairs bp : berths) {
                value += sweep(bp, lambda, f, choice, count);
            }
            if (best == Double.NEGATIVE_INFINITY || value > best + 1e-9 * Math.max(1, Math.abs(best))) {
                best = value;
                sinceBest = 0;
                System.arraycopy(lambda, 0, bestLambda, 0, n);
                improved.accept(value);
            } else if (++sinceBest >= patience) {
                factor /= 2;
                sinceBest = 0;
            }
            double norm = 0;
            boolean balanced = true;
            for (int s = 0; s < n; s++) {
                double sub = 1 - count[s];
                balanced &= sub == 0;
                // A deflected direction (Camerini, Fratta and Maffioli) damps the zig-zag of plain steps.
                direction[s] = sub + DEFLECTION * direction[s];
                norm += direction[s] * direction[s];
            }
            if (balanced || norm == 0 || best >= aim - 1e-9 * Math.max(1, Math.abs(aim))) {
                converged = true;
                break;
            }
            if (System.nanoTime() >= deadlineNanos || stop.getAsBoolean()) {
                break;
            }
            if (factor < MIN_STEP_FACTOR) {
                if (patience >= MAX_PATIENCE) {
                    converged = true;
                    break;
                }
                patience *= 2;
                factor = RESTART_FACTOR;
                System.arraycopy(bestLambda, 0, lambda, 0, n);
                Arrays.fill(direction, 0);
                continue;
            }
            double step = factor * Math.max(aim - value, 1e-6 * Math.max(1, Math.abs(aim))) / norm;
            for (int s = 0; s < n; s++) {
                lambda[s] += step * direction[s];
            }
        }
        return new Result(best, penalty, iterations, g, converged);
    }

    /**
     * The cheapest path over one berth's buckets at these prices; counts the vessels it uses. A
     * pair is priced exactly in its first bucket (its start may lie inside it); in later buckets it
     * starts at the bucket's start, so of the pairs of one group only the cheapest after prices
     * matters: a heap per group, fed as buckets enter pairs' windows and drained as they leave.
     */
    private double sweep(BerthPairs bp, double[] lambda, double[] f, int[] choice, int[] count) {
        // Past the last bucket where some pair could still start below its price, every path
        // value is zero (a start there costs more than it earns): the sweep begins there.
        long lastUseful = -1;
        for (int q = 0; q < bp.count; q++) {
            double adjusted = bp.offset[q] - lambda[bp.slot[q]];
            bp.adjusted[q] = adjusted;
            if (adjusted < 0) {
                double t = -adjusted / bp.weight[q];
                lastUseful = Math.max(lastUseful, Math.min(buckets - 1, (long) Math.floor(t / g)));
            }
        }
        Arrays.fill(bp.heapSize, 0);
        int nextByLast = 0;
        int nextByFirst = 0;
        int top = (int) lastUseful;
        Arrays.fill(f, top + 1, buckets + 1, 0);
        Arrays.fill(choice, top + 1, buckets, -1);
        for (int k = top; k >= 0; k--) {
            while (nextByLast < bp.count && bp.last[nextByLast] >= k) {
                int q = nextByLast++;
                if (bp.first[q] < k) {
                    bp.push(bp.group[q], q);
                } else if (bp.first[q] == k) {
                    continue;
                }
            }
            double bestValue = f[k + 1];
            int bestPair = -1;
            long t = k * g;
            while (nextByFirst < bp.count && bp.first[bp.byFirst[nextByFirst]] >= k) {
                int q = bp.byFirst[nextByFirst++];
                if (bp.first[q] != k || bp.last[q] < k) {
                    continue;
                }
                double value = bp.weight[q] * Math.max(t, bp.earliest[q]) + bp.adjusted[q]
                        + f[Math.min(buckets, k + bp.length[q])];
                if (value < bestValue) {
                    bestValue = value;
                    bestPair = q;
                }
            }
            for (int gi = 0; gi < bp.groupCount; gi++) {
                int[] h = bp.heap[gi];
                while (bp.heapSize[gi] > 0 && bp.first[h[0]] >= k) {
                    bp.pop(gi);
                }
                if (bp.heapSize[gi] == 0) {
                    continue;
                }
                int q = h[0];
                double value = bp.groupWeight[gi] * t + bp.adjusted[q] + f[Math.min(buckets, k + bp.groupLength[gi])];
                if (value < bestValue) {
                    bestValue = value;
                    bestPair = q;
                }
            }
            f[k] = bestValue;
            choice[k] = bestPair;
        }
        for (int k = 0; k < buckets; ) {
            int q = choice[k];
            if (q < 0) {
                k++;
            } else {
                count[bp.slot[q]]++;
                k += bp.length[q];
            }
        }
        return f[0];
    }
}
