package io.portopt.solver;

import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Pin;
import io.portopt.solver.model.PinConflict;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Stability;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pinned vessels, fixed berths, "not before", the stability term, and stopping and watching a solve. */
class PinsAndReplanTest {
    private static final int TRIES = 150;
    private static final long STEPS = 300;

    @Provide
    Arbitrary<Problem> problems() {
        return RandomProblems.problems();
    }

    private static Map<String, Assignment> byVessel(Plan plan) {
        Map<String, Assignment> out = new HashMap<>();
        plan.assignments().forEach(a -> out.put(a.vessel(), a));
        return out;
    }

    /** The problem with some of a feasible plan's assignments as pins, others as fixed berths, and a present. */
    private static Problem pinnedFrom(Problem problem, Plan plan, SplittableRandom r, boolean withNow) {
        Map<String, Assignment> planned = byVessel(plan);
        List<Long> starts = plan.assignments().stream().map(Assignment::start).sorted().toList();
        long now = withNow && !starts.isEmpty() ? starts.get(r.nextInt(starts.size())) : Long.MIN_VALUE;
        List<Vessel> vessels = new ArrayList<>();
        for (Vessel v : problem.vessels()) {
            Assignment a = planned.get(v.id());
            int roll = r.nextInt(10);
            if (a != null && (a.start() < now || roll < 3)) {
                vessels.add(new Vessel(v.id(), v.arrival(), v.lengthM(), v.draftM(), v.weight(), v.handling(),
                        v.handlingByBerth(), v.latestDeparture(), null, new Pin(a.berth(), a.start())));
            } else if (a != null && roll < 5) {
                vessels.add(new Vessel(v.id(), v.arrival(), v.lengthM(), v.draftM(), v.weight(), v.handling(),
                        v.handlingByBerth(), v.latestDeparture(), a.berth(), null));
            } else {
                vessels.add(v);
            }
        }
        return new Problem(problem.berths(), vessels, problem.tide(), now, null);
    }

    @Property(tries = TRIES)
    void pinsFixedBerthsAndThePresentAreKeptByEverySolveAndRepair(@ForAll("problems") Problem problem, @ForAll long seed) {
        Plan base = BerthPlanner.solve(problem, SolverOptions.stepLimited(STEPS, seed)).plan();
        Problem pinned = pinnedFrom(problem, base, new SplittableRandom(seed), true);
        assertThat(BerthPlanner.pinConflicts(pinned)).isEmpty();
        Plan solved = BerthPlanner.solve(pinned, SolverOptions.stepLimited(STEPS, seed + 1)).plan();
        assertThat(FeasibilityChecker.violations(pinned, solved)).isEmpty();
        Plan repaired = BerthPlanner.repair(pinned, base.assignments(), SolverOptions.stepLimited(STEPS, seed + 2)).plan();
        assertThat(FeasibilityChecker.violations(pinned, repaired)).isEmpty();
        // Without search, a repair of the plan the pins came from keeps every assignment: pins are
        // exactly where the plan had them, and nothing else has to move.
        Plan kept = BerthPlanner.repair(pinned, base.assignments(), SolverOptions.constructionOnly()).plan();
        assertThat(byVessel(kept)).containsAllEntriesOf(byVessel(base).entrySet().stream()
                .filter(e -> pinned.vessels().stream().anyMatch(v -> v.id().equals(e.getKey()) && v.pinned() != null))
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    @Property(tries = TRIES)
    void pinsThatOverlapAreNamedTogether(@ForAll("problems") Problem problem, @ForAll long seed) {
        Plan base = BerthPlanner.solve(problem, SolverOptions.stepLimited(50, seed)).plan();
        Map<String, List<Assignment>> byBerth = new HashMap<>();
        base.assignments().forEach(a -> byBerth.computeIfAbsent(a.berth(), k -> new ArrayList<>()).add(a));
        List<Assignment> pair = byBerth.values().stream().filter(l -> l.size() >= 2).findFirst().orElse(null);
        Assume.that(pair != null);
        Assignment first = pair.get(0);
        Assignment second = pair.get(1);
        List<Vessel> vessels = new ArrayList<>();
        for (Vessel v : problem.vessels()) {
            boolean pin = v.id().equals(first.vessel()) || v.id().equals(second.vessel());
            vessels.add(pin ? new Vessel(v.id(), v.arrival(), v.lengthM(), v.draftM(), v.weight(), v.handling(), v.handlingByBerth(),
                    v.latestDeparture(), null, new Pin(first.berth(), first.start())) : v);
        }
        Problem clash = new Problem(problem.berths(), vessels, problem.tide());
        List<PinConflict> conflicts = BerthPlanner.pinConflicts(clash);
        // The second vessel at the first one's start either cannot start there at all (named with
        // the berth) or overlaps the first (named with it).
        assertThat(conflicts).isNotEmpty();
        assertThat(conflicts).anySatisfy(c -> assertThat(List.of(c.vessel(), c.other()))
                .containsAnyOf(first.vessel(), second.vessel()));
        if (conflicts.stream().noneMatch(c -> c.other().equals(first.berth()))) {
            assertThat(conflicts).anySatisfy(c -> assertThat(List.of(c.vessel(), c.other()))
                    .containsExactlyInAnyOrder(first.vessel(), second.vessel()));
        }
        assertThatThrownBy(() -> BerthPlanner.solve(clash, SolverOptions.constructionOnly()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Example
    void aPinIntoAClosureOutsideHoursOrATideNamesTheConstraint() {
        Berth berth = new Berth("B1", 300.0, 12.0, 5, 1000, List.of(new Interval(100, 120)));
        Tide tide = new Tide(10.0, List.of(new Interval(0, 10), new Interval(200, 210), new Interval(240, 250)));
        Vessel shallow = new Vessel("S", 0, 100.0, 8.0, 1, 30L, Map.of(), Long.MAX_VALUE);
        Vessel deep = new Vessel("D", 0, 100.0, 11.0, 1, 30L, Map.of(), Long.MAX_VALUE);
        assertThat(reasonOf(berth, tide, shallow, new Pin("B1", 90))).contains("closure");
        assertThat(reasonOf(berth, tide, shallow, new Pin("B1", 1))).contains("opening hours");
        assertThat(reasonOf(berth, tide, deep, new Pin("B1", 50))).contains("tidal window");
        assertThat(reasonOf(berth, tide, new Vessel("L", 0, 400.0, 8.0, 1, 30L, Map.of(), Long.MAX_VALUE), new Pin("B1", 20)))
                .contains("length");
        assertThat(reasonOf(berth, tide, shallow, new Pin("B9", 20))).contains("does not exist");
        assertThat(reasonOf(berth, tide, new Vessel("T", 0, 100.0, 8.0, 1, 30L, Map.of(), 40), new Pin("B1", 20)))
                .contains("latest departure");
        // A deep vessel pinned inside a window sails at the next one: it occupies the berth until then.
        Problem ok = new Problem(List.of(berth), List.of(new Vessel("D", 0, 100.0, 11.0, 1, 30L, Map.of(), Long.MAX_VALUE, null,
                new Pin("B1", 205)), shallow), tide);
        assertThat(BerthPlanner.pinConflicts(ok)).isEmpty();
        Plan plan = BerthPlanner.solve(ok, SolverOptions.stepLimited(20, 1)).plan();
        assertThat(byVessel(plan).get("D")).isEqualTo(new Assignment("D", "B1", 205, 240));
        assertThat(FeasibilityChecker.violations(ok, plan)).isEmpty();
    }

    private static String reasonOf(Berth berth, Tide tide, Vessel v, Pin pin) {
        Vessel pinned = new Vessel(v.id(), v.arrival(), v.lengthM(), v.draftM(), v.weight(), v.handling(), v.handlingByBerth(),
                v.latestDeparture(), null, pin);
        List<PinConflict> conflicts = BerthPlanner.pinConflicts(new Problem(List.of(berth), List.of(pinned), tide));
        assertThat(conflicts).hasSize(1);
        return conflicts.getFirst().reason();
    }

    @Property(tries = TRIES)
    void aReplanIsNeverWorseThanRepairingTheOldPlan(@ForAll("problems") Problem problem, @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Plan base = BerthPlanner.solve(problem, SolverOptions.stepLimited(STEPS, seed)).plan();
        Problem changed = SolverPropertiesTest.perturb(problem, r);
        Stability stability = new Stability(byVessel(base), r.nextInt(50), r.nextDouble() * 3);
        Problem replan = new Problem(changed.berths(), changed.vessels(), changed.tide(), Long.MIN_VALUE, stability);
        Plan start = BerthPlanner.repair(replan, base.assignments(), new SolverOptions(Duration.ZERO, seed, 0)).plan();
        Plan result = BerthPlanner.repair(replan, base.assignments(), SolverOptions.stepLimited(STEPS, seed)).plan();
        assertThat(FeasibilityChecker.violations(replan, result)).isEmpty();
        assertThat(result.assignments().size()).isGreaterThanOrEqualTo(start.assignments().size());
        if (result.assignments().size() == start.assignments().size()) {
            double before = start.objective() + stability.penalty(start.assignments());
            double after = result.objective() + stability.penalty(result.assignments());
            assertThat(after).isLessThanOrEqualTo(before + 1e-6 * Math.max(1, Math.abs(before)));
        }
    }

    @Property(tries = TRIES)
    void withAHeavyBerthMovePenaltyAnEarlierArrivalMovesNoVesselToAnotherBerth(@ForAll("problems") Problem problem,
                                                                                @ForAll long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Plan base = BerthPlanner.solve(problem, SolverOptions.stepLimited(STEPS, seed)).plan();
        Assume.that(!base.assignments().isEmpty());
        Assignment moved = base.assignments().get(r.nextInt(base.assignments().size()));
        List<Vessel> vessels = new ArrayList<>();
        for (Vessel v : problem.vessels()) {
            vessels.add(v.id().equals(moved.vessel()) ? v.withArrival(v.arrival() - 1 - r.nextInt(10)) : v);
        }
        Stability stability = new Stability(byVessel(base), 1e9, 0);
        Problem replan = new Problem(problem.berths(), vessels, problem.tide(), Long.MIN_VALUE, stability);
        Plan result = BerthPlanner.repair(replan, base.assignments(), SolverOptions.stepLimited(STEPS, seed)).plan();
        assertThat(result.assignments().size()).isGreaterThanOrEqualTo(base.assignments().size());
        if (result.assignments().size() == base.assignments().size()) {
            Map<String, Assignment> before = byVessel(base);
            assertThat(result.assignments()).filteredOn(a -> before.containsKey(a.vessel()))
                    .allSatisfy(a -> assertThat(a.berth()).isEqualTo(before.get(a.vessel()).berth()));
        }
    }

    @Example
    void theStabilityPenaltyCountsMovesAndShiftsOfBasePlanVesselsOnly() {
        Stability s = new Stability(Map.of("A", new Assignment("A", "B1", 100, 150), "B", new Assignment("B", "B2", 0, 10)), 60, 0.5);
        List<Assignment> plan = List.of(new Assignment("A", "B2", 90, 140), new Assignment("B", "B2", 0, 10),
                new Assignment("C", "B1", 0, 10));
        assertThat(s.penalty(plan)).isEqualTo(60 + 0.5 * 10);
    }

    @Property(tries = 50)
    void aSolveAskedToStopReturnsAFeasiblePlanAtOnce(@ForAll("problems") Problem problem, @ForAll long seed) {
        long t0 = System.nanoTime();
        SolveResult result = BerthPlanner.solve(problem, SolverOptions.timeLimited(Duration.ofHours(1), seed).withStop(() -> true));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("a stopped search does not run for its hour").isLessThan(Duration.ofMinutes(1));
        assertThat(FeasibilityChecker.violations(problem, result.plan())).isEmpty();
        assertThat(result.plan().assignments().size()).isGreaterThanOrEqualTo(result.stats().constructionAssigned());
    }

    @Property(tries = 50)
    void progressReportsEachNewBestWithItsPlan(@ForAll("problems") Problem problem, @ForAll long seed) {
        List<double[]> seen = new ArrayList<>();
        Plan last = BerthPlanner.solve(problem, SolverOptions.stepLimited(STEPS, seed).withProgress((millis, objective, assigned, plan) -> {
            Plan p = plan.get();
            assertThat(p.objective()).isEqualTo(objective);
            assertThat(p.assignments()).hasSize(assigned);
            assertThat(FeasibilityChecker.violations(problem, p)).isEmpty();
            seen.add(new double[] {assigned, objective});
        })).plan();
        assertThat(seen).isNotEmpty();
        for (int i = 1; i < seen.size(); i++) {
            double[] a = seen.get(i - 1);
            double[] b = seen.get(i);
            assertThat(b[0]).isGreaterThanOrEqualTo(a[0]);
            if (b[0] == a[0]) {
                assertThat(b[1]).isLessThanOrEqualTo(a[1] + 1e-9 * Math.max(1, Math.abs(a[1])));
            }
        }
        assertThat(seen.getLast()[1]).isEqualTo(last.objective());
    }
}
