package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;
import io.portopt.solver.model.Vessel;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of the solver on random problems of varied shapes ({@link RandomProblems}). */
class SolverPropertiesTest {
    private static final int TRIES = 200;
    private static final long STEPS = 300;

    @Provide
    Arbitrary<Problem> problems() {
        return RandomProblems.problems();
    }

    private static SolveResult solve(Problem p, long seed) {
        return BerthPlanner.solve(p, SolverOptions.stepLimited(STEPS, seed));
    }

    /** Also checks that the generator reaches the interesting cases often enough to matter. */
    @Property(tries = TRIES)
    void everySolvedPlanIsFeasible(@ForAll("problems") Problem problem, @ForAll long seed) {
        Plan plan = solve(problem, seed).plan();
        assertThat(FeasibilityChecker.violations(problem, plan)).isEmpty();

        Map<String, Vessel> vessels = problem.vessels().stream().collect(Collectors.toMap(Vessel::id, Function.identity()));
        boolean tidalWait = plan.assignments().stream()
                .anyMatch(a -> a.end() > a.start() + vessels.get(a.vessel()).handlingAt(a.berth()));
        boolean capacity = plan.unassigned().stream().anyMatch(u -> u.reason() == UnassignedReason.BERTH_CAPACITY);
        boolean noWindow = plan.unassigned().stream().anyMatch(u -> u.reason() == UnassignedReason.NO_FEASIBLE_WINDOW);
        boolean incompatible = plan.unassigned().stream().anyMatch(u -> u.reason() == UnassignedReason.NO_COMPATIBLE_BERTH);
        Statistics.label("tidal wait in the plan").collect(tidalWait);
        Statistics.label("a vessel left out for capacity").collect(capacity);
        Statistics.label("a vessel with no feasible window").collect(noWindow);
        Statistics.label("a vessel with no compatible berth").collect(incompatible);
        Statistics.label("every vessel placed").collect(plan.unassigned().isEmpty());
        Statistics.label("tidal wait in the plan").coverage(c -> c.check(true).percentage(p -> p >= 8));
        Statistics.label("a vessel left out for capacity").coverage(c -> c.check(true).percentage(p -> p >= 4));
        Statistics.label("a vessel with no feasible window").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("a vessel with no compatible berth").coverage(c -> c.check(true).percentage(p -> p >= 20));
        Statistics.label("every vessel placed").coverage(c -> c.check(true).percentage(p -> p >= 8));
    }

    /** The timing rule against brute force: no vessel could start earlier behind its predecessor. */
    @Property(tries = TRIES)
    void everyPlannedStartIsTheEarliestBehindThePreviousVesselAtItsBerth(@ForAll("problems") Problem problem,
                                                                         @ForAll long seed) {
        Plan plan = solve(problem, seed).plan();
        BruteForce brute = new BruteForce(problem);
        Map<String, Vessel> vessels = problem.vessels().stream().collect(Collectors.toMap(Vessel::id, Function.identity()));
        for (Berth berth : problem.berths()) {
            long ready = Long.MIN_VALUE;
            for (Assignment a : plan.assignments()) {
                if (a.berth().equals(berth.id())) {
                    long[] earliest = brute.earliest(vessels.get(a.vessel()), berth, ready);
                    assertThat(earliest).as("%s behind a vessel leaving at %d", a, ready).isNotNull();
                    assertThat(new long[] {a.start(), a.end()}).as(a.toString()).containsExactly(earliest);
                    ready = a.end();
                }
            }
        }
    }

    @Property(tries = TRIES)
    void searchNeverEndsWorseThanItsConstruction(@ForAll("problems") Problem problem, @ForAll long seed) {
        SolveResult r = solve(problem, seed);
        int assigned = r.plan().assignments().size();
        assertThat(assigned).isGreaterThanOrEqualTo(r.stats().constructionAssigned());
        if (assigned == r.stats().constructionAssigned()) {
            assertThat(r.plan().objective()).isLessThanOrEqualTo(r.stats().constructionObjective() + 1e-6);
        }
    }

    /**
     * A vessel that brute force places on some empty berth is assigned or left out for capacity only;
     * one it cannot place anywhere alone is unassigned with the matching intrinsic reason.
     */
    @Property(tries = TRIES)
    void unassignedReasonsAgreeWithABruteForceOfEachVesselAlone(@ForAll("problems") Problem problem, @ForAll long seed) {
        Plan plan = solve(problem, seed).plan();
        BruteForce brute = new BruteForce(problem);
        Map<String, UnassignedReason> reasons = plan.unassigned().stream()
                .collect(Collectors.toMap(Unassigned::vessel, Unassigned::reason));
        for (Vessel v : problem.vessels()) {
            boolean anyAllowed = problem.berths().stream().anyMatch(b -> BruteForce.allowed(v, b));
            if (brute.fitsAlone(v)) {
                assertThat(reasons.get(v.id())).as(v.id()).isIn(null, UnassignedReason.BERTH_CAPACITY);
            } else {
                assertThat(reasons.get(v.id())).as(v.id()).isEqualTo(anyAllowed
                        ? UnassignedReason.NO_FEASIBLE_WINDOW : UnassignedReason.NO_COMPATIBLE_BERTH);
            }
        }
    }

    @Property(tries = TRIES)
    void repairOfAPlanForAPerturbedProblemIsFeasible(@ForAll("problems") Problem problem, @ForAll long seed) {
        Plan old = solve(problem, seed).plan();
        Problem changed = perturb(problem, new SplittableRandom(seed));
        SolveResult repaired = BerthPlanner.repair(changed, old.assignments(), SolverOptions.stepLimited(50, seed));
        assertThat(FeasibilityChecker.violations(changed, repaired.plan())).isEmpty();
        assertThat(repaired.plan().assignments().size()).isGreaterThanOrEqualTo(repaired.stats().constructionAssigned());
    }

    @Property(tries = TRIES)
    void repairWithoutStepsOfAnUnchangedProblemKeepsEveryAssignmentOfItsHint(@ForAll("problems") Problem problem,
                                                                             @ForAll long seed) {
        Plan old = solve(problem, seed).plan();
        Plan again = BerthPlanner.repair(problem, old.assignments(), SolverOptions.stepLimited(0, seed)).plan();
        assertThat(FeasibilityChecker.violations(problem, again)).isEmpty();
        assertThat(again.assignments()).containsAll(old.assignments());
    }

    @Property(tries = 50)
    void sameSeedGivesTheSamePlan(@ForAll("problems") Problem problem, @ForAll long seed) {
        assertThat(solve(problem, seed).plan()).isEqualTo(solve(problem, seed).plan());
    }

    /**
     * A similar problem, as the approximate rung meets it: some vessels gone, some arrivals (and
     * deadlines) shifted, some vessels with new particulars, some new vessels, a new closure,
     * sometimes a berth less.
     */
    static Problem perturb(Problem p, SplittableRandom r) {
        List<Berth> berths = new ArrayList<>(p.berths());
        if (berths.size() > 1 && r.nextInt(10) == 0) {
            berths.remove(r.nextInt(berths.size()));
        }
        if (r.nextInt(5) == 0) {
            int b = r.nextInt(berths.size());
            Berth old = berths.get(b);
            List<Interval> closures = new ArrayList<>(old.closures());
            long from = r.nextLong(200);
            closures.add(new Interval(from, from + 1 + r.nextInt(40)));
            berths.set(b, new Berth(old.id(), old.lengthM(), old.depthM(), old.opensAt(), old.closesAt(), closures));
        }
        List<Vessel> vessels = new ArrayList<>();
        for (Vessel v : p.vessels()) {
            int roll = r.nextInt(100);
            if (roll < 15) {
                continue;
            }
            if (roll < 25) {
                // Same call, new particulars: other allowed berths, handling, length, draft, deadline.
                vessels.add(RandomProblems.randomVessel(r, v.id(), p.berths().size(), 20, 200, true, 4));
                continue;
            }
            if (roll < 45) {
                long shift = r.nextInt(31) - 15;
                long due = v.latestDeparture() == Long.MAX_VALUE || r.nextBoolean()
                        ? v.latestDeparture() : v.latestDeparture() + shift;
                vessels.add(new Vessel(v.id(), v.arrival() + shift, v.lengthM(), v.draftM(), v.weight(),
                        v.handling(), v.handlingByBerth(), due));
            } else {
                vessels.add(v);
            }
        }
        int added = r.nextInt(5);
        for (int i = 0; i < added; i++) {
            vessels.add(RandomProblems.randomVessel(r, "N" + (i + 1), p.berths().size(), 20, 200, r.nextBoolean(), 4));
        }
        return new Problem(berths, vessels, p.tide());
    }
}
