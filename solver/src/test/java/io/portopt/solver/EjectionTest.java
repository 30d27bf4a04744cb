package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.portopt.solver.Fixtures.problem;
import static io.portopt.solver.Fixtures.vessel;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The "make room" move (a vessel that fits nowhere takes the place of a longer one, which goes
 * elsewhere or out), in the construction and in the search's recreate.
 */
class EjectionTest {
    private static final long STEPS = 300;

    /**
     * One berth, and a long vessel first in every construction order that blocks two short ones with
     * tight departures: greedy insertion places one vessel, making room for the short ones two.
     */
    @Test
    void constructionTradesALongVesselForTwoShortOnes() {
        Problem problem = problem(List.of(Berth.open("B1")), List.of(
                vessel("L").arrival(0).handling(10).latestDeparture(10).build(),
                vessel("S1").arrival(1).handling(2).latestDeparture(11).build(),
                vessel("S2").arrival(2).handling(2).latestDeparture(11).build()));

        SolveResult r = BerthPlanner.solve(problem, SolverOptions.constructionOnly());

        assertThat(r.plan().assignments()).extracting(a -> a.vessel()).containsExactlyInAnyOrder("S1", "S2");
        assertThat(r.plan().unassigned()).extracting(Unassigned::vessel, Unassigned::reason)
                .containsExactly(org.assertj.core.api.Assertions.tuple("L", UnassignedReason.BERTH_CAPACITY));
        assertThat(FeasibilityChecker.violations(problem, r.plan())).isEmpty();
    }

    /** Congested ports (many vessels, few berths) of every kind, where vessels are left out for capacity. */
    @Provide
    Arbitrary<Problem> congested() {
        return Combinators.combine(
                Arbitraries.integers().between(15, RandomProblems.MAX_VESSELS),
                Arbitraries.integers().between(1, 3),
                Arbitraries.longs()).as(RandomProblems::generate);
    }

    /** Search with the move on: every plan feasible, never worse than the construction, same plan for the same seed. */
    @Property(tries = 200)
    void searchWithEjectionsIsFeasibleNeverWorseAndDeterministic(@ForAll("congested") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        Search search = new Search(p, seed);
        Schedule start = search.construct();
        int startAssigned = start.assignedCount;
        double startCost = start.cost;
        long constructionEjections = search.progress.ejections;
        Plan plan = BerthPlanner.toPlan(p, search.improve(Long.MAX_VALUE, STEPS, System.nanoTime()));

        assertThat(FeasibilityChecker.violations(problem, plan)).isEmpty();
        assertThat(plan.assignments().size()).isGreaterThanOrEqualTo(startAssigned);
        if (plan.assignments().size() == startAssigned) {
            assertThat(plan.objective()).isLessThanOrEqualTo(startCost + 1e-6);
        }
        CompiledProblem p2 = new CompiledProblem(problem);
        Search third = new Search(p2, seed);
        third.construct();
        assertThat(BerthPlanner.toPlan(p2, third.improve(Long.MAX_VALUE, STEPS, System.nanoTime()))).isEqualTo(plan);

        Statistics.label("ejection in the construction").collect(constructionEjections > 0);
        Statistics.label("ejection in the search").collect(search.progress.ejections > constructionEjections);
        Statistics.label("ejection in the construction").coverage(c -> c.check(true).percentage(x -> x >= 10));
        Statistics.label("ejection in the search").coverage(c -> c.check(true).percentage(x -> x >= 10));
    }

    /**
     * The ejection pool (one search step, so little besides it runs): never fewer vessels than the
     * construction, every plan feasible, the same plan for the same seed.
     */
    @Property(tries = 200)
    void ejectionPoolKeepsEveryVesselPlacedFeasibleAndDeterministic(@ForAll("congested") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        Search search = new Search(p, seed);
        Schedule start = search.construct();
        int startAssigned = start.assignedCount;
        long constructionEjections = search.progress.ejections;
        Plan plan = BerthPlanner.toPlan(p, search.improve(Long.MAX_VALUE, 1, System.nanoTime()));

        assertThat(FeasibilityChecker.violations(problem, plan)).isEmpty();
        assertThat(plan.assignments().size()).isGreaterThanOrEqualTo(startAssigned);
        CompiledProblem p2 = new CompiledProblem(problem);
        Search again = new Search(p2, seed);
        again.construct();
        assertThat(BerthPlanner.toPlan(p2, again.improve(Long.MAX_VALUE, 1, System.nanoTime()))).isEqualTo(plan);

        Statistics.label("pool swaps").collect(search.progress.ejections > constructionEjections);
        Statistics.label("pool placed more").collect(plan.assignments().size() > startAssigned);
    }
}
