package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.kramer.KramerData;
import io.portopt.solver.kramer.KramerReader;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Pin;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import net.jqwik.api.Combinators;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The lower bound must never exceed what some plan reaches: checked against an exhaustive search
 * on tiny problems of every shape {@link RandomProblems} makes (tides, closures, deadlines,
 * physical limits, vessels left out), and it must be useful on the published instances.
 */
class LowerBoundTest {
    @Provide
    Arbitrary<Problem> tiny() {
        return Combinators.combine(
                Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 2),
                Arbitraries.longs()).as(RandomProblems::generate);
    }

    /** Unit weights make every objective an integer, which lets the bound round up: check that too. */
    @Provide
    Arbitrary<Problem> tinyUnitWeights() {
        return tiny().map(p -> new Problem(p.berths(), p.vessels().stream().map(v -> new Vessel(v.id(), v.arrival(),
                v.lengthM(), v.draftM(), 1.0, v.handling(), v.handlingByBerth(), v.latestDeparture())).toList(), p.tide()));
    }

    @Property(tries = 300)
    void neverAboveTheCheapestPlanPlacingAsManyVessels(@ForAll("tiny") Problem problem, @ForAll long seed) {
        checkAgainstBruteForce(problem, seed);
    }

    @Property(tries = 200)
    void neverAboveTheOptimumWithUnitWeights(@ForAll("tinyUnitWeights") Problem problem, @ForAll long seed) {
        checkAgainstBruteForce(problem, seed);
    }

    /**
     * The relaxation's own value, before the planner clamps it to the plan's objective (a clamp
     * would hide a bound that is too high whenever the search finds the optimum): from the
     * construction, which often leaves room, against the exhaustive optimum.
     */
    @Property(tries = 300)
    void theRelaxationItselfIsNeverAboveTheOptimum(@ForAll("tiny") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        Search search = new Search(p, seed);
        Schedule start = search.construct();
        LowerBound.Result relaxation = LowerBound.compute(p, BerthPlanner.turnaroundByVessel(p, start), Long.MAX_VALUE, 150);
        double raw = relaxation.forUnplaced(search.placeable() - start.assignedCount);
        double cheapest = new BruteForce(problem).cheapestPlacingAtLeast(start.assignedCount);
        assertThat(raw).as("relaxation vs the cheapest plan placing %d: %s", start.assignedCount, problem)
                .isLessThanOrEqualTo(cheapest + 1e-6);
        Statistics.label("relaxation within 0.1 % of the optimum").collect(raw >= cheapest - 1e-3 * Math.max(1, cheapest));
    }

    private static void checkAgainstBruteForce(Problem problem, long seed) {
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.stepLimited(200, seed));
        assertThat(FeasibilityChecker.violations(problem, result.plan())).isEmpty();
        Bound bound = result.bound();
        assertThat(bound).isNotNull();
        int placed = result.plan().assignments().size();
        double cheapest = new BruteForce(problem).cheapestPlacingAtLeast(placed);
        assertThat(bound.lowerBound()).as("bound vs the cheapest plan placing %d: %s", placed, problem)
                .isLessThanOrEqualTo(cheapest + 1e-6);
        assertThat(bound.lowerBound()).isLessThanOrEqualTo(result.plan().objective() + 1e-9);
        assertThat(bound.gap()).isBetween(0.0, 1.0);
        if (bound.optimal()) {
            BruteForce.Optimum optimum = new BruteForce(problem).optimum();
            assertThat(placed).isEqualTo(optimum.assigned());
            assertThat(result.plan().objective()).isCloseTo(optimum.objective(), within(1e-6));
        }
        Statistics.label("proven optimal").collect(bound.optimal());
        Statistics.label("vessels left out").collect(!result.plan().unassigned().isEmpty());
    }

    /** The ascent on a helper thread beside the search: the same guarantee. */
    @Property(tries = 100)
    void onAHelperCoreTheBoundIsAsValid(@ForAll("tiny") Problem problem, @ForAll long seed) {
        java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            SolverOptions options = SolverOptions.timeLimited(java.time.Duration.ofMillis(20), seed)
                    .withHelper(helper(task -> {
                        thread.execute(task);
                        return true;
                    }));
            SolveResult result = BerthPlanner.solve(problem, options);
            int placed = result.plan().assignments().size();
            assertThat(result.bound()).isNotNull();
            assertThat(result.bound().lowerBound())
                    .isLessThanOrEqualTo(new BruteForce(problem).cheapestPlacingAtLeast(placed) + 1e-6);
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aHelperWithNoFreeCoreMeansTheBoundRunsInlineAndOneThatNeverRunsItMeansNoBound() {
        Problem problem = RandomProblems.generate(30, 3, 7);
        SolverOptions options = SolverOptions.timeLimited(java.time.Duration.ofMillis(200), 1);
        SolveResult refused = BerthPlanner.solve(problem, options.withHelper(helper(task -> false)));
        assertThat(refused.bound()).isNotNull();
        // Accepted but never run (a pool that lost the thread): the solve must not wait for it, nor claim a bound.
        long t0 = System.nanoTime();
        SolveResult dropped = BerthPlanner.solve(problem, options.withHelper(helper(task -> true)));
        assertThat(dropped.bound()).isNull();
        assertThat(dropped.plan().assignments()).isNotEmpty();
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }

    private static SolverOptions.Helper helper(java.util.function.Predicate<Runnable> offer) {
        return new SolverOptions.Helper() {
            @Override
            public boolean offer(Runnable task) {
                return offer.test(task);
            }

            @Override
            public boolean wanted() {
                return false;
            }
        };
    }

    @Test
    void provesASimpleQueueOptimalAndStopsEarly() {
        // Two vessels, one berth: the second must wait; nothing better exists.
        Problem problem = new Problem(List.of(Berth.open("B1")), List.of(
                new Vessel("V1", 0, null, null, 1, 10L, Map.of(), Long.MAX_VALUE),
                new Vessel("V2", 0, null, null, 1, 5L, Map.of(), Long.MAX_VALUE)), null);
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.timeLimited(java.time.Duration.ofSeconds(5), 1));
        assertThat(result.plan().objective()).isEqualTo(5 + 15);
        assertThat(result.bound().optimal()).isTrue();
        assertThat(result.bound().gap()).isZero();
        assertThat(result.bound().lowerBound()).isEqualTo(20);
        // The search ends as soon as the plan meets the bound, long before its 5 s.
        assertThat(result.stats().totalMillis()).isLessThan(2500);
    }

    @Test
    void countsPinnedStaysAndTheReplansPresent() {
        // V1 is pinned at [0, 10) on B1; V2 may not start before 4 (the present) and arrived at 0.
        Problem problem = new Problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(
                new Vessel("V1", 0, null, null, 1, 10L, Map.of(), Long.MAX_VALUE, null, new Pin("B1", 0)),
                new Vessel("V2", 0, null, null, 2, 6L, Map.of(), Long.MAX_VALUE)), null, 4, null);
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.stepLimited(100, 1));
        // V1: 10; V2 on B2 from 4 to 10: weight 2 x (10 - 0) = 20.
        assertThat(result.plan().objective()).isEqualTo(30);
        assertThat(result.bound().lowerBound()).isEqualTo(30);
        assertThat(result.bound().optimal()).isTrue();
    }

    @Test
    void closuresAndLongHorizonsKeepTheBoundBelowThePlan() {
        // Minute-scale times over a week with closures: the buckets get wider than one unit.
        List<Berth> berths = List.of(
                new Berth("B1", null, null, Long.MIN_VALUE, Long.MAX_VALUE, List.of(new Interval(600, 1200))),
                Berth.open("B2"));
        List<Vessel> vessels = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            vessels.add(new Vessel("V" + i, i * 240L, null, null, 1 + i % 3, 300L + 37 * (i % 7), Map.of(), 7 * 24 * 60));
        }
        Problem problem = new Problem(berths, vessels, null);
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.stepLimited(500, 1));
        assertThat(result.bound().bucketWidth()).isGreaterThan(1);
        assertThat(result.bound().lowerBound()).isPositive().isLessThanOrEqualTo(result.plan().objective());
    }

    /** Useful, not just valid: on a published instance the bound closes most of the trivial bound's gap. */
    @Test
    void onAKramerInstanceTheBoundIsCloseToTheBestKnown() throws Exception {
        Problem problem = KramerReader.read(KramerData.instance("f200x15-01.txt"));
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.stepLimited(2000, 1));
        double bestKnown = 12637;
        double trivial = 0;
        CompiledProblem compiled = new CompiledProblem(problem);
        for (int v = 0; v < compiled.vesselCount; v++) {
            double alone = Double.POSITIVE_INFINITY;
            for (int b : compiled.compatible[v]) {
                if (compiled.earliestStart(v, b, Long.MIN_VALUE) != CompiledProblem.NONE) {
                    alone = Math.min(alone, compiled.cost(v, compiled.lastEnd));
                }
            }
            trivial += alone;
        }
        assertThat(result.bound().lowerBound()).isLessThanOrEqualTo(bestKnown);
        // The trivial bound (every vessel alone) is about a third of the best known here.
        assertThat(trivial).isLessThan(0.4 * bestKnown);
        assertThat(result.bound().lowerBound()).isGreaterThan(0.9 * bestKnown);
    }
}
