package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.portopt.solver.Fixtures.berth;
import static io.portopt.solver.Fixtures.problem;
import static io.portopt.solver.Fixtures.tide;
import static io.portopt.solver.Fixtures.vessel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

class BerthPlannerTest {
    private static final SolverOptions STEPS = SolverOptions.stepLimited(300, 7);

    private static Plan solve(Problem problem) {
        Plan plan = BerthPlanner.solve(problem, STEPS).plan();
        assertThat(FeasibilityChecker.violations(problem, plan)).isEmpty();
        return plan;
    }

    private static Map<String, Assignment> byVessel(Plan plan) {
        return plan.assignments().stream().collect(Collectors.toMap(Assignment::vessel, Function.identity()));
    }

    private static Map<String, UnassignedReason> reasons(Plan plan) {
        return plan.unassigned().stream().collect(Collectors.toMap(Unassigned::vessel, Unassigned::reason));
    }

    @Test
    void shortVesselGoesFirstWhenWeightsAreEqual() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("LONG").arrival(0).handling(10).build(),
                vessel("SHORT").arrival(0).handling(2).build()));
        Plan plan = solve(p);
        // SHORT 0..2, LONG 2..12: 2 + 12; the other order would give 10 + 12.
        assertThat(plan.objective()).isEqualTo(14.0);
        assertThat(byVessel(plan).get("SHORT")).isEqualTo(new Assignment("SHORT", "B1", 0, 2));
        assertThat(byVessel(plan).get("LONG")).isEqualTo(new Assignment("LONG", "B1", 2, 12));
    }

    @Test
    void heavyWeightPutsTheLongVesselFirst() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("LONG").arrival(0).handling(10).weight(10).build(),
                vessel("SHORT").arrival(0).handling(2).build()));
        Plan plan = solve(p);
        // LONG first: 10 * 10 + 1 * 12 = 112; SHORT first: 1 * 2 + 10 * 12 = 122.
        assertThat(plan.objective()).isEqualTo(112.0);
        assertThat(byVessel(plan).get("LONG").start()).isZero();
        assertThat(byVessel(plan).get("SHORT").start()).isEqualTo(10);
    }

    @Test
    void waitingForALaterShortVesselBeatsServingAnEarlierLongOne() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("A").arrival(0).handling(20).build(),
                vessel("B").arrival(1).handling(1).weight(30).build()));
        Plan plan = solve(p);
        // A first: A 0..20 (20), B 20..21 (30 * 20 = 600): 620. B first: B 1..2 (30), A 2..22 (22): 52.
        assertThat(plan.objective()).isEqualTo(52.0);
        assertThat(byVessel(plan).get("A")).isEqualTo(new Assignment("A", "B1", 2, 22));
    }

    @Test
    void vesselUsesTheBerthWithTheShorterHandling() {
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(
                vessel("V").arrival(5).handlingAt("B1", 10).handlingAt("B2", 4).build()));
        Plan plan = solve(p);
        assertThat(plan.assignments()).containsExactly(new Assignment("V", "B2", 5, 9));
        assertThat(plan.objective()).isEqualTo(4.0);
    }

    @Test
    void twoVesselsArrivingTogetherUseTwoBerths() {
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(
                vessel("V1").arrival(0).handling(10).build(),
                vessel("V2").arrival(0).handling(10).build()));
        Plan plan = solve(p);
        assertThat(plan.objective()).isEqualTo(20.0);
        assertThat(plan.assignments()).extracting(Assignment::berth).containsExactlyInAnyOrder("B1", "B2");
    }

    /**
     * Exhaustive enumeration of berth choices and orders (with brute-force timing) on 2..5 vessels
     * and 1..2 berths. The solver must never beat it (that would mean a timing or checking error)
     * and, given a few thousand steps, must reach it. With fewer steps it can stay stuck: on three
     * vessels the ruin removes a single vessel, and greedy recreate undoes most single moves.
     */
    @Test
    void searchFindsTheExhaustiveOptimumOnTinyProblems() {
        for (long seed = 1; seed <= 100; seed++) {
            Problem p = RandomProblems.generate(2 + (int) (seed % 4), 1 + (int) (seed % 2), seed);
            BruteForce.Optimum optimum = new BruteForce(p).optimum();
            Plan plan = BerthPlanner.solve(p, SolverOptions.stepLimited(2000, seed)).plan();
            assertThat(FeasibilityChecker.violations(p, plan)).as("seed %d", seed).isEmpty();
            assertThat(plan.assignments()).as("assigned, seed %d: %s", seed, p).hasSize(optimum.assigned());
            assertThat(plan.objective()).as("objective, seed %d: %s", seed, p).isCloseTo(optimum.objective(), within(1e-6));
        }
    }

    @Test
    void vesselLongerThanEveryBerthHasNoCompatibleBerth() {
        Problem p = problem(List.of(berth("B1").length(300).build()), List.of(
                vessel("BIG").arrival(0).handling(5).length(301).build()));
        Plan plan = solve(p);
        assertThat(plan.assignments()).isEmpty();
        assertThat(plan.unassigned()).singleElement().satisfies(u -> {
            assertThat(u.reason()).isEqualTo(UnassignedReason.NO_COMPATIBLE_BERTH);
            assertThat(u.detail()).contains("length");
        });
        assertThat(plan.objective()).isZero();
    }

    @Test
    void vesselDeeperThanEveryBerthHasNoCompatibleBerth() {
        Problem p = problem(List.of(berth("B1").depth(12).build(), berth("B2").depth(11).build()), List.of(
                vessel("DEEP").arrival(0).handling(5).draft(12.5).build()));
        Plan plan = solve(p);
        assertThat(plan.unassigned()).singleElement().satisfies(u -> {
            assertThat(u.reason()).isEqualTo(UnassignedReason.NO_COMPATIBLE_BERTH);
            assertThat(u.detail()).contains("draft");
        });
    }

    @Test
    void vesselWhoseHandlingListNamesOnlyUnknownBerthsHasNoCompatibleBerth() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("LOST").arrival(0).handlingAt("Z9", 5).build()));
        Plan plan = solve(p);
        assertThat(plan.unassigned()).singleElement().satisfies(u -> {
            assertThat(u.reason()).isEqualTo(UnassignedReason.NO_COMPATIBLE_BERTH);
            assertThat(u.detail()).contains("names no berth");
        });
    }

    @Test
    void handlingListRestrictsTheVesselToTheBerthsItNames() {
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(
                vessel("FIRST").arrival(0).handling(10).build(),
                vessel("ONLY_B1").arrival(0).handlingAt("B1", 10).build()));
        Plan plan = solve(p);
        assertThat(byVessel(plan).get("ONLY_B1").berth()).isEqualTo("B1");
        assertThat(byVessel(plan).get("FIRST").berth()).isEqualTo("B2");
        assertThat(plan.objective()).isEqualTo(20.0);
    }

    @Test
    void latestDepartureBeforeArrivalPlusHandlingGivesNoFeasibleWindow() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("LATE").arrival(10).handling(5).latestDeparture(14).build(),
                vessel("OK").arrival(10).handling(5).latestDeparture(15).build()));
        Plan plan = solve(p);
        assertThat(reasons(plan)).containsExactly(Map.entry("LATE", UnassignedReason.NO_FEASIBLE_WINDOW));
        assertThat(plan.assignments()).containsExactly(new Assignment("OK", "B1", 10, 15));
    }

    @Test
    void vesselsThatEachFitAloneButNotTogetherLeaveOneForBerthCapacity() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("V1").arrival(0).handling(10).latestDeparture(10).build(),
                vessel("V2").arrival(0).handling(10).latestDeparture(10).build()));
        Plan plan = solve(p);
        assertThat(plan.assignments()).hasSize(1);
        assertThat(plan.unassigned()).singleElement().satisfies(u -> {
            assertThat(u.reason()).isEqualTo(UnassignedReason.BERTH_CAPACITY);
            assertThat(u.detail()).isNotBlank();
        });
        assertThat(plan.objective()).isEqualTo(10.0);
    }

    @Test
    void placingMoreVesselsComesBeforeALowerObjective() {
        // Heavy V1 alone would cost 50, but V2 only fits if it goes first; both placed beats one placed.
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("V1").arrival(0).handling(5).weight(10).build(),
                vessel("V2").arrival(0).handling(5).latestDeparture(5).build()));
        Plan plan = solve(p);
        assertThat(plan.unassigned()).isEmpty();
        assertThat(plan.assignments()).containsExactlyInAnyOrder(
                new Assignment("V2", "B1", 0, 5), new Assignment("V1", "B1", 5, 10));
        assertThat(plan.objective()).isEqualTo(105.0);
    }

    @Test
    void tidalWaitAtTheBerthIsPartOfThePlanAndItsObjective() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("DEEP").arrival(25).handling(10).draft(14).build(),
                vessel("NEXT").arrival(26).handling(3).build()), tide(12.0, 20, 30, 50, 60));
        Plan plan = solve(p);
        Map<String, Assignment> a = byVessel(plan);
        // DEEP first: DEEP 25..50 (handling ends at 35, it waits for the window at 50), NEXT 50..53: 25 + 27.
        // Best: NEXT 26..29, DEEP 29..50 (starts inside [20, 30], sails at 50): 3 + 25 = 28.
        assertThat(a.get("NEXT")).isEqualTo(new Assignment("NEXT", "B1", 26, 29));
        assertThat(a.get("DEEP")).isEqualTo(new Assignment("DEEP", "B1", 29, 50));
        assertThat(a.get("DEEP").end()).isGreaterThan(a.get("DEEP").start() + 10);
        assertThat(plan.objective()).isEqualTo(28.0);
    }

    @Test
    void sameProblemSeedAndStepBudgetGiveIdenticalPlans() {
        for (long seed = 1; seed <= 5; seed++) {
            Problem p = RandomProblems.generate(35, 4, seed * 1000);
            SolveResult first = BerthPlanner.solve(p, SolverOptions.stepLimited(400, seed));
            SolveResult second = BerthPlanner.solve(p, SolverOptions.stepLimited(400, seed));
            assertThat(second.plan()).isEqualTo(first.plan());
            assertThat(first.stats().steps()).isEqualTo(400);
        }
    }

    @Test
    void stepBudgetBoundsTheSearch() {
        Problem p = RandomProblems.generate(30, 3, 11);
        assertThat(BerthPlanner.solve(p, SolverOptions.stepLimited(123, 1)).stats().steps()).isEqualTo(123);
        assertThat(BerthPlanner.solve(p, SolverOptions.constructionOnly()).stats().steps()).isZero();
    }

    @Test
    void searchImprovesOnTheConstructionOfABusyPort() {
        Problem p = RandomProblems.generate(40, 2, 3);
        SolveResult r = BerthPlanner.solve(p, SolverOptions.stepLimited(2000, 1));
        assertThat(FeasibilityChecker.violations(p, r.plan())).isEmpty();
        assertThat(r.plan().assignments().size()).isGreaterThanOrEqualTo(r.stats().constructionAssigned());
        if (r.plan().assignments().size() == r.stats().constructionAssigned()) {
            assertThat(r.plan().objective()).isLessThanOrEqualTo(r.stats().constructionObjective());
        }
        assertThat(r.stats().bestSoFar()).isNotEmpty();
        assertThat(r.stats().bestSoFar().getFirst()[1]).isEqualTo(r.stats().constructionObjective());
    }

    @Test
    void emptyProblemGivesAnEmptyPlan() {
        Plan plan = solve(problem(List.of(Berth.open("B1")), List.of()));
        assertThat(plan.assignments()).isEmpty();
        assertThat(plan.unassigned()).isEmpty();
        assertThat(plan.objective()).isZero();
        Plan noBerths = solve(problem(List.of(), List.of(vessel("V").arrival(0).handling(3).build())));
        assertThat(reasons(noBerths)).containsExactly(Map.entry("V", UnassignedReason.NO_COMPATIBLE_BERTH));
    }

    @Test
    void precheckListsOnlyTheVesselsThatNoPlanCanPlace() {
        Problem p = problem(List.of(berth("B1").length(300).build()), List.of(
                vessel("BIG").arrival(0).handling(5).length(400).build(),
                vessel("LATE").arrival(10).handling(5).latestDeparture(14).build(),
                vessel("C1").arrival(0).handling(10).latestDeparture(10).build(),
                vessel("C2").arrival(0).handling(10).latestDeparture(10).build()));
        List<Unassigned> precheck = BerthPlanner.precheck(p);
        assertThat(precheck).extracting(Unassigned::vessel, Unassigned::reason).containsExactly(
                tuple("BIG", UnassignedReason.NO_COMPATIBLE_BERTH),
                tuple("LATE", UnassignedReason.NO_FEASIBLE_WINDOW));
        // C1 and C2 cannot both be placed, but that is capacity, which only solving decides.
        assertThat(reasons(solve(p))).containsEntry("BIG", UnassignedReason.NO_COMPATIBLE_BERTH)
                .containsEntry("LATE", UnassignedReason.NO_FEASIBLE_WINDOW).hasSize(3);
    }

    // ---- repair ----

    private static Problem twoEqualBerths(List<Vessel> vessels) {
        return problem(List.of(Berth.open("B1"), Berth.open("B2")), vessels);
    }

    @Test
    void repairKeepsTheBerthsOfAStillFeasibleHint() {
        Problem p = twoEqualBerths(List.of(
                vessel("V1").arrival(0).handling(10).build(),
                vessel("V2").arrival(0).handling(10).build(),
                vessel("V3").arrival(30).handling(10).build()));
        List<Assignment> hint = List.of(
                new Assignment("V1", "B2", 0, 10),
                new Assignment("V2", "B1", 0, 10),
                new Assignment("V3", "B2", 30, 40));
        SolveResult r = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(0, 1));
        assertThat(r.plan().assignments()).containsExactlyInAnyOrderElementsOf(hint);
        assertThat(FeasibilityChecker.violations(p, r.plan())).isEmpty();
    }

    @Test
    void repairKeepsTheHintOrderOnABerth() {
        // On one berth the hint serves LONG before SHORT; with no search steps the order is kept.
        Problem p = problem(List.of(Berth.open("B1")), List.of(
                vessel("LONG").arrival(0).handling(10).build(),
                vessel("SHORT").arrival(0).handling(2).build()));
        List<Assignment> hint = List.of(new Assignment("LONG", "B1", 0, 10), new Assignment("SHORT", "B1", 10, 12));
        Plan kept = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(0, 1)).plan();
        assertThat(kept.assignments()).containsExactlyElementsOf(hint);
        assertThat(kept.objective()).isEqualTo(22.0);
        Plan improved = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(200, 1)).plan();
        assertThat(improved.objective()).isEqualTo(14.0);
    }

    @Test
    void repairRetimesAHintWhoseTimesShifted() {
        Problem p = twoEqualBerths(List.of(
                vessel("V1").arrival(100).handling(10).build(),
                vessel("V2").arrival(105).handling(10).build()));
        List<Assignment> staleTimes = List.of(
                new Assignment("V1", "B2", 0, 10),
                new Assignment("V2", "B2", 10, 20));
        Plan plan = BerthPlanner.repair(p, staleTimes, SolverOptions.stepLimited(0, 1)).plan();
        assertThat(plan.assignments()).containsExactly(
                new Assignment("V1", "B2", 100, 110), new Assignment("V2", "B2", 110, 120));
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
    }

    @Test
    void repairDropsVesselsAndBerthsThatAreGoneAndPlacesNewVessels() {
        Problem p = twoEqualBerths(List.of(
                vessel("KEPT").arrival(0).handling(10).build(),
                vessel("NEW").arrival(0).handling(4).build()));
        List<Assignment> hint = List.of(
                new Assignment("KEPT", "B1", 0, 10),
                new Assignment("GONE", "B2", 0, 10),
                new Assignment("KEPT_TOO", "B9", 0, 10));
        Plan plan = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(0, 1)).plan();
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
        assertThat(plan.unassigned()).isEmpty();
        assertThat(byVessel(plan).get("KEPT")).isEqualTo(new Assignment("KEPT", "B1", 0, 10));
        assertThat(byVessel(plan).get("NEW")).isEqualTo(new Assignment("NEW", "B2", 0, 4));
    }

    @Test
    void repairMovesAVesselOffABerthItNoLongerFits() {
        Problem p = problem(List.of(berth("B1").length(200).build(), berth("B2").length(400).build()), List.of(
                vessel("BIG").arrival(0).handling(10).length(300).build()));
        List<Assignment> hint = List.of(new Assignment("BIG", "B1", 0, 10));
        Plan plan = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(0, 1)).plan();
        assertThat(plan.assignments()).containsExactly(new Assignment("BIG", "B2", 0, 10));
    }

    @Test
    void repairOfAStaleHintIsFeasibleWhenTheHintNoLongerFitsTogether() {
        // The hint packs three vessels on B1; now they arrive together and must leave by 12, so two move.
        List<Vessel> vessels = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            vessels.add(vessel("V" + i).arrival(0).handling(10).latestDeparture(12).build());
        }
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2"), berth("B3").closure(5, 6).build()), vessels);
        List<Assignment> hint = List.of(
                new Assignment("V1", "B1", 0, 10),
                new Assignment("V2", "B1", 10, 20),
                new Assignment("V3", "B1", 20, 30));
        Plan plan = BerthPlanner.repair(p, hint, SolverOptions.stepLimited(50, 1)).plan();
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
        assertThat(byVessel(plan).get("V1")).isEqualTo(new Assignment("V1", "B1", 0, 10));
        assertThat(plan.assignments()).hasSize(2);
        assertThat(reasons(plan)).containsExactly(Map.entry("V3", UnassignedReason.BERTH_CAPACITY));
    }

    @Test
    void repairOfAPerturbedRandomProblemIsFeasible() {
        for (long seed = 1; seed <= 20; seed++) {
            Problem original = RandomProblems.generate(30, 3, seed);
            Plan plan = BerthPlanner.solve(original, SolverOptions.stepLimited(100, seed)).plan();
            List<Vessel> shifted = original.vessels().stream().skip(3)
                    .map(v -> new Vessel(v.id(), v.arrival() + 7, v.lengthM(), v.draftM(), v.weight(),
                            v.handling(), v.handlingByBerth(), v.latestDeparture()))
                    .collect(Collectors.toCollection(ArrayList::new));
            shifted.add(vessel("EXTRA").arrival(0).handling(5).build());
            Problem changed = new Problem(original.berths(), shifted, original.tide());
            Plan repaired = BerthPlanner.repair(changed, plan.assignments(), SolverOptions.stepLimited(50, seed)).plan();
            assertThat(FeasibilityChecker.violations(changed, repaired)).as("seed %d", seed).isEmpty();
        }
    }
}
