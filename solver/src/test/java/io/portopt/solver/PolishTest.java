package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static io.portopt.solver.Fixtures.problem;
import static io.portopt.solver.Fixtures.vessel;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The final local descent ({@link Polish}, relocate and swap moves) on random partial schedules:
 * it never loses a vessel or makes the plan dearer, leaves times that are exactly the re-timing
 * of its sequences, and every plan it leaves passes the independent check.
 */
class PolishTest {

    @Provide
    Arbitrary<Problem> problems() {
        return RandomProblems.problems();
    }

    @Property(tries = 300)
    void polishKeepsThePlanFeasibleConsistentAndNoWorse(@ForAll("problems") Problem problem, @ForAll long seed) {
        CompiledProblem p = new CompiledProblem(problem);
        Schedule s = randomSchedule(p, new SplittableRandom(seed));
        double costBefore = s.cost;
        int assignedBefore = s.assignedCount;

        Polish polish = new Polish(p, s, new BestInsertion(p, new SplittableRandom(seed)), Long.MAX_VALUE);
        boolean improved = polish.run();

        assertThat(s.assignedCount).isGreaterThanOrEqualTo(assignedBefore);
        if (s.assignedCount == assignedBefore) {
            assertThat(s.cost).isLessThanOrEqualTo(costBefore + 1e-6);
        }
        assertThat(improved).isEqualTo(polish.improvements > 0);
        Schedule fresh = new Schedule(p);
        fresh.copyFrom(s);
        assertThat(fresh.retimeAll()).isTrue();
        for (int b = 0; b < p.berthCount; b++) {
            for (int q = 0; q < s.len[b]; q++) {
                assertThat(s.start[b][q]).isEqualTo(fresh.start[b][q]);
                assertThat(s.end[b][q]).isEqualTo(fresh.end[b][q]);
            }
        }
        assertThat(s.cost).isCloseTo(fresh.cost, Offset.offset(1e-6));
        assertThat(FeasibilityChecker.violations(problem, BerthPlanner.toPlan(p, s))).isEmpty();
        Statistics.label("polish improved the plan").collect(improved);
        Statistics.label("polish improved the plan").coverage(c -> c.check(true).percentage(x -> x >= 20));
    }

    /** Each vessel is slower at the berth it is on: moving either alone costs more, trading places saves. */
    @Test
    void swapsTwoVesselsThatNoSingleRelocationImproves() {
        Problem problem = problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(
                vessel("V1").arrival(0).handlingAt("B1", 5).handlingAt("B2", 6).build(),
                vessel("V2").arrival(0).handlingAt("B1", 6).handlingAt("B2", 5).build()));
        CompiledProblem p = new CompiledProblem(problem);
        Schedule s = new Schedule(p);
        s.insert(0, 1, 0);
        s.insert(1, 0, 0);
        assertThat(s.cost).isEqualTo(12.0);

        new Polish(p, s, new BestInsertion(p, new SplittableRandom(1)), Long.MAX_VALUE).run();

        assertThat(s.cost).isEqualTo(10.0);
        assertThat(s.berthOf).containsExactly(0, 1);
    }

    /** Vessels in random order at random feasible positions, some left out: far from optimal. */
    private static Schedule randomSchedule(CompiledProblem p, SplittableRandom r) {
        Schedule s = new Schedule(p);
        for (int v = 0; v < p.vesselCount; v++) {
            if (p.compatible[v].length == 0 || r.nextInt(5) == 0) {
                continue;
            }
            int b = p.compatible[v][r.nextInt(p.compatible[v].length)];
            int pos = r.nextInt(s.len[b] + 1);
            if (s.insertionDelta(v, b, pos, Double.POSITIVE_INFINITY) < Double.POSITIVE_INFINITY) {
                s.insert(v, b, pos);
            }
        }
        return s;
    }
}
