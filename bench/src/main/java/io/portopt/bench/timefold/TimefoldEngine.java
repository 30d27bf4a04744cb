package io.portopt.bench.timefold;

import ai.timefold.solver.core.api.solver.Solver;
import ai.timefold.solver.core.api.solver.SolverConfigOverride;
import ai.timefold.solver.core.api.solver.SolverFactory;
import ai.timefold.solver.core.config.score.director.ScoreDirectorFactoryConfig;
import ai.timefold.solver.core.config.solver.SolverConfig;
import io.portopt.bench.SolverBench;
import io.portopt.solver.BerthPlanner;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The same berth allocation as a Timefold Solver model, for {@code bench solver --engine timefold}:
 * berths are entities with a list variable of vessels (unassigned allowed), scored incrementally by
 * {@link TfScoreCalculator}; Timefold's default phases (construction heuristic, then local search),
 * one thread, the same time limit. The best solution is turned into a plan: each berth's vessels
 * timed in list order, any vessel that cannot be served where it is left out.
 */
public final class TimefoldEngine implements SolverBench.Engine {
    private final Map<Long, SolverFactory<TfSchedule>> factories = new HashMap<>();

    @Override
    public String name() {
        return "timefold";
    }

    private SolverFactory<TfSchedule> factory(long seed) {
        return factories.computeIfAbsent(seed, s -> SolverFactory.create(new SolverConfig()
                .withSolutionClass(TfSchedule.class)
                .withEntityClasses(TfBerth.class)
                .withScoreDirectorFactory(new ScoreDirectorFactoryConfig()
                        .withIncrementalScoreCalculatorClass(TfScoreCalculator.class))
                .withRandomSeed(s)
                .withMoveThreadCount("NONE")
                .withTerminationSpentLimit(Duration.ofSeconds(1))));
    }

    @Override
    public SolverBench.Run solve(Problem problem, long timeLimitMs, long seed) {
        // The factory is built once per seed and not timed: a server would keep it.
        SolverFactory<TfSchedule> factory = factory(seed);
        long t0 = System.nanoTime();
        TfTiming timing = new TfTiming(problem);
        List<TfVessel> vessels = new ArrayList<>();
        for (int v = 0; v < problem.vessels().size(); v++) {
            vessels.add(new TfVessel(problem.vessels().get(v).id(), v));
        }
        List<TfBerth> berths = new ArrayList<>();
        for (int b = 0; b < problem.berths().size(); b++) {
            berths.add(new TfBerth(problem.berths().get(b).id(), b));
        }
        long left = Math.max(1, timeLimitMs - (System.nanoTime() - t0) / 1_000_000);
        Solver<TfSchedule> solver = factory.buildSolver(new SolverConfigOverride()
                .withTerminationSpentLimit(Duration.ofMillis(left)));
        TfSchedule best = solver.solve(new TfSchedule(vessels, berths, timing));
        Plan plan = toPlan(problem, timing, best);
        return new SolverBench.Run(plan, null, (System.nanoTime() - t0) / 1_000_000);
    }

    static Plan toPlan(Problem problem, TfTiming timing, TfSchedule solution) {
        List<Assignment> assignments = new ArrayList<>();
        boolean[] placed = new boolean[timing.vesselCount];
        double objective = 0;
        long[] out = new long[2];
        for (TfBerth berth : solution.getBerths()) {
            int b = berth.getIndex();
            long ready = Long.MIN_VALUE;
            for (TfVessel vessel : berth.getVessels()) {
                int v = vessel.getIndex();
                if (!timing.time(v, b, ready, out)) {
                    continue; // cannot be served here: left out, the rest keep their order
                }
                assignments.add(new Assignment(vessel.getId(), berth.getId(), out[0], out[1]));
                objective += timing.weight[v] * (out[1] - timing.arrival[v]);
                placed[v] = true;
                ready = out[1];
            }
        }
        assignments.sort(Comparator.comparingLong(Assignment::start).thenComparing(Assignment::berth));
        Map<String, Unassigned> intrinsic = BerthPlanner.precheck(problem).stream()
                .collect(Collectors.toMap(Unassigned::vessel, Function.identity(), (a, b) -> a));
        List<Unassigned> unassigned = new ArrayList<>();
        for (int v = 0; v < timing.vesselCount; v++) {
            if (!placed[v]) {
                String id = problem.vessels().get(v).id();
                unassigned.add(intrinsic.getOrDefault(id, new Unassigned(id, UnassignedReason.BERTH_CAPACITY,
                        "left out by the Timefold model")));
            }
        }
        return new Plan(assignments, unassigned, objective);
    }
}
