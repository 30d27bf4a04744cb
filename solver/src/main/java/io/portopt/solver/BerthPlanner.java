package io.portopt.solver;

import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.PinConflict;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The solver's entry point. Stateless and thread-safe: each call builds its own search state and
 * runs on the caller's thread (one solver per core is the caller's concern).
 */
public final class BerthPlanner {
    /** Bumped whenever a change may alter the plans it returns; part of every cache key. */
    public static final String VERSION = "portopt-solver/6";

    private BerthPlanner() {
    }

    /** Construction, then search until the time limit or step budget; the best plan found. */
    public static SolveResult solve(Problem problem, SolverOptions options) {
        long startNanos = System.nanoTime();
        Pinning.Prepared prepared = Pinning.prepare(problem);
        CompiledProblem compiled = compile(prepared, options);
        Search search = new Search(compiled, options.seed());
        Schedule start = search.construct();
        return finish(prepared, compiled, search, start, options, startNanos);
    }

    /**
     * Pinned vessels that overlap each other or break a hard constraint at their pin, and fixed
     * berths the vessel cannot use; a problem with any cannot be solved (the caller refuses it).
     */
    public static List<PinConflict> pinConflicts(Problem problem) {
        return Pinning.conflicts(problem);
    }

    private static CompiledProblem compile(Pinning.Prepared prepared, SolverOptions options) {
        CompiledProblem compiled = new CompiledProblem(prepared.search());
        compiled.stop = options.stop();
        return compiled;
    }

    /**
     * Re-times and repairs a plan made for a similar problem: vessels keep the berth and order of
     * {@code hint} where that is still feasible, the rest are inserted at their cheapest positions,
     * then the search improves it within the options' budget. Always feasible for {@code problem}.
     */
    public static SolveResult repair(Problem problem, List<Assignment> hint, SolverOptions options) {
        long startNanos = System.nanoTime();
        Pinning.Prepared prepared = Pinning.prepare(problem);
        CompiledProblem compiled = compile(prepared, options);
        Problem searched = prepared.search();
        Map<String, Integer> vesselIndex = indexOf(searched.vessels().stream().map(v -> v.id()).toList());
        Map<String, Integer> berthIndex = indexOf(searched.berths().stream().map(b -> b.id()).toList());
        List<List<Integer>> order = new ArrayList<>();
        for (int b = 0; b < compiled.berthCount; b++) {
            order.add(new ArrayList<>());
        }
        hint.stream().sorted(Comparator.comparingLong(Assignment::start)).forEach(a -> {
            Integer v = vesselIndex.get(a.vessel());
            Integer b = berthIndex.get(a.berth());
            if (v != null && b != null) {
                order.get(b).add(v);
            }
        });
        int[][] sequences = order.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
        Search search = new Search(compiled, options.seed());
        Schedule start = search.constructFrom(sequences);
        return finish(prepared, compiled, search, start, options, startNanos);
    }

    /**
     * Vessels that no plan can place, whatever the others do: no compatible berth, or no feasible
     * start even on an empty berth. Cheap; used to validate a request without solving it.
     */
    public static List<Unassigned> precheck(Problem problem) {
        Problem searched = Pinning.conflicts(problem).isEmpty() ? Pinning.prepare(problem).search() : problem;
        CompiledProblem compiled = new CompiledProblem(searched);
        List<Unassigned> out = new ArrayList<>();
        for (int v = 0; v < compiled.vesselCount; v++) {
            if (compiled.intrinsicReason[v] != null) {
                out.add(new Unassigned(searched.vessels().get(v).id(), compiled.intrinsicReason[v], compiled.intrinsicDetail[v]));
            }
        }
        return out;
    }

    private static SolveResult finish(Pinning.Prepared prepared, CompiledProblem compiled, Search search, Schedule start,
                                      SolverOptions options, long startNanos) {
        long constructedNanos = System.nanoTime();
        double constructionObjective = start.cost;
        int constructionAssigned = start.assignedCount;
        long deadline = saturatedAdd(startNanos, options.timeLimit().toNanos());
        Progress listener = options.progress();
        if (listener != null) {
            Runnable tell = () -> {
                Plan plan = prepared.complete(toPlan(compiled, search.best()));
                listener.improved((System.nanoTime() - startNanos) / 1_000_000, plan.objective(), plan.assignments().size(),
                        () -> plan);
            };
            tell.run();   // the construction is the first plan
            search.progress.onImprovement = tell;
        }
        BoundRun boundRun = null;
        if (options.lowerBound() && options.maxSteps() > 0 && compiled.vesselCount > 0 && compiled.berthCount > 0
                && nonNegativeWeights(compiled)) {
            boundRun = startBound(prepared, compiled, search, start, options, deadline);
        }
        Schedule best = search.improve(deadline, options.maxSteps(), startNanos);
        LowerBound.Result relaxation = boundRun == null ? null : boundRun.finish();
        long boundNanos = boundRun == null ? 0 : boundRun.nanos;
        long endNanos = System.nanoTime();
        List<double[]> trace = new ArrayList<>();
        trace.add(new double[] {(constructedNanos - startNanos) / 1e6, constructionObjective});
        for (long[] point : search.progress.improvements) {
            trace.add(new double[] {(point[0] - startNanos) / 1e6, point[1]});
        }
        SolveStats stats = new SolveStats(constructionObjective, constructionAssigned,
                (constructedNanos - startNanos) / 1000, (endNanos - startNanos) / 1_000_000,
                search.progress.steps, trace);
        Plan plan = prepared.complete(toPlan(compiled, best));
        Bound bound = relaxation == null ? null
                : bound(prepared, compiled, relaxation, search.placeable() - best.assignedCount, plan, boundNanos / 1_000_000);
        return new SolveResult(plan, stats, bound);
    }

    /** Share of the time limit the lower bound may take before the search, on the solve's own core. */
    static final double BOUND_SHARE = 0.08;
    static final int BOUND_MAX_ITERATIONS = 400;
    /** On a helper core the bound costs the search nothing: it may run for the whole limit. */
    static final int BOUND_HELPER_ITERATIONS = 5000;
    static final int BOUND_STEP_ITERATIONS = 150;
    static final long HELPER_GRACE_MILLIS = 50;

    /** The bound's ascent, on this thread (done when started) or on a helper core beside the search. */
    private static final class BoundRun {
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        private volatile boolean over;
        private volatile LowerBound.Result result;
        private volatile long nanos;

        /** The result; null when a helper never got to run it (then no bound is claimed). */
        LowerBound.Result finish() {
            over = true;
            try {
                // An ascent step takes a millisecond or so; a helper that has not started by now never will in time.
                if (!done.await(HELPER_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            return result;
        }
    }

    /**
     * The relaxation, prepared here (it uses the problem's timing rule, which is not thread-safe).
     * Time-limited solves run the ascent on the helper's idle core while they search, when there
     * is one, else first and for a share of the limit; step-limited ones run a fixed number of
     * iterations first, so that they stay deterministic. Either way the search hears each better
     * bound, and stops once its plan meets it.
     */
    private static BoundRun startBound(Pinning.Prepared prepared, CompiledProblem compiled, Search search, Schedule start,
                                       SolverOptions options, long deadline) {
        long t0 = System.nanoTime();
        LowerBound relaxation = LowerBound.prepare(compiled, turnaroundByVessel(compiled, start));
        boolean integral = integral(prepared);
        java.util.function.DoubleConsumer raise = v -> search.raiseLowerBound(integral ? Math.ceil(v - 1e-6) : v);
        boolean timed = options.maxSteps() == Long.MAX_VALUE;
        BoundRun run = new BoundRun();
        SolverOptions.Helper helper = options.helper();
        if (timed && helper != null) {
            boolean offered = helper.offer(() -> {
                try {
                    run.result = relaxation.ascend(deadline, BOUND_HELPER_ITERATIONS,
                            () -> run.over || helper.wanted(), raise);
                } finally {
                    run.nanos = System.nanoTime() - t0;
                    run.done.countDown();
                }
            });
            if (offered) {
                return run;
            }
        }
        long boundDeadline = timed ? t0 + (long) (BOUND_SHARE * Math.max(0, deadline - t0)) : Long.MAX_VALUE;
        run.result = relaxation.ascend(boundDeadline, timed ? BOUND_MAX_ITERATIONS : BOUND_STEP_ITERATIONS, () -> false, raise);
        run.nanos = System.nanoTime() - t0;
        run.done.countDown();
        return run;
    }

    /** Each vessel's weighted turnaround in the schedule, NaN where it is not placed. */
    static double[] turnaroundByVessel(CompiledProblem p, Schedule s) {
        double[] cost = new double[p.vesselCount];
        java.util.Arrays.fill(cost, Double.NaN);
        for (int b = 0; b < p.berthCount; b++) {
            for (int q = 0; q < s.len[b]; q++) {
                cost[s.seq[b][q]] = p.cost(s.seq[b][q], s.end[b][q]);
            }
        }
        return cost;
    }

    private static boolean nonNegativeWeights(CompiledProblem p) {
        for (double w : p.weight) {
            if (!(w >= 0)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The relaxation's bound for the real problem: pinned stays are the same in every plan, and a
     * "not before" clamp moves each placed vessel's turnaround by a constant (counted only when
     * every placeable vessel is placed; otherwise which vessels pay it depends on the plan, and
     * leaving it out keeps the bound valid).
     */
    private static Bound bound(Pinning.Prepared prepared, CompiledProblem p, LowerBound.Result relaxation, int unplaced,
                               Plan plan, long millis) {
        double value = relaxation.forUnplaced(unplaced);
        for (var pin : prepared.pinned()) {
            var v = prepared.original().get(pin.vessel());
            value += v.weight() * (pin.end() - v.arrival());
        }
        if (unplaced == 0) {
            for (int v = 0; v < p.vesselCount; v++) {
                if (p.intrinsicReason[v] == null) {
                    var original = prepared.original().get(p.problem.vessels().get(v).id());
                    value += p.weight[v] * (p.arrival[v] - original.arrival());
                }
            }
        }
        double objective = plan.objective();
        value = Math.max(0, Math.min(value, objective));
        // Integral weights and times make every objective an integer: a bound within one of it proves it.
        if (integral(prepared)) {
            value = Math.min(objective, Math.ceil(value - 1e-6));
        }
        double gap = objective <= 0 ? 0 : (objective - value) / objective;
        // Optimal only when nothing placeable is left out: a plan placing more would rank above it.
        boolean optimal = unplaced == 0 && gap <= 1e-9;
        return new Bound(value, optimal ? 0 : gap, optimal, relaxation.iterations(), relaxation.bucketWidth(), millis);
    }

    private static boolean integral(Pinning.Prepared prepared) {
        for (var v : prepared.original().values()) {
            if (v.weight() != Math.rint(v.weight())) {
                return false;
            }
        }
        return true;
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static Map<String, Integer> indexOf(List<String> ids) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            index.putIfAbsent(ids.get(i), i);
        }
        return index;
    }

    static Plan toPlan(CompiledProblem p, Schedule s) {
        List<Assignment> assignments = new ArrayList<>();
        double objective = 0;
        for (int b = 0; b < p.berthCount; b++) {
            String berthId = p.problem.berths().get(b).id();
            for (int q = 0; q < s.len[b]; q++) {
                int v = s.seq[b][q];
                assignments.add(new Assignment(p.problem.vessels().get(v).id(), berthId, s.start[b][q], s.end[b][q]));
                objective += p.cost(v, s.end[b][q]);
            }
        }
        assignments.sort(Comparator.comparingLong(Assignment::start).thenComparing(Assignment::berth));
        List<Unassigned> unassigned = new ArrayList<>();
        for (int v = 0; v < p.vesselCount; v++) {
            if (s.berthOf[v] < 0) {
                UnassignedReason reason = p.intrinsicReason[v] == null ? UnassignedReason.BERTH_CAPACITY : p.intrinsicReason[v];
                String detail = p.intrinsicReason[v] == null
                        ? "fits an empty berth, but the other vessels leave no feasible slot before its latest departure"
                        : p.intrinsicDetail[v];
                unassigned.add(new Unassigned(p.problem.vessels().get(v).id(), reason, detail));
            }
        }
        return new Plan(assignments, unassigned, objective);
    }
}
