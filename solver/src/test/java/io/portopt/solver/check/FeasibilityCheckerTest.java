package io.portopt.solver.check;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;
import io.portopt.solver.model.Vessel;
import org.assertj.core.api.ListAssert;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.portopt.solver.Fixtures.berth;
import static io.portopt.solver.Fixtures.problem;
import static io.portopt.solver.Fixtures.tide;
import static io.portopt.solver.Fixtures.vessel;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each hard constraint in a pair: a plan that just respects it passes, a plan that just breaks it is
 * flagged with exactly that violation. This proves the checker the other tests rely on can fail.
 */
class FeasibilityCheckerTest {
    private static final Tide TIDE = tide(12.0, 20, 30, 50, 60);

    /** A plan with the given assignments, the right objective and every other vessel unassigned. */
    private static Plan plan(Problem problem, Assignment... assignments) {
        Map<String, Vessel> vessels = problem.vessels().stream().collect(Collectors.toMap(Vessel::id, Function.identity()));
        double objective = 0;
        for (Assignment a : assignments) {
            Vessel v = vessels.get(a.vessel());
            if (v != null) {
                objective += v.weight() * (a.end() - v.arrival());
            }
        }
        Set<String> assigned = Arrays.stream(assignments).map(Assignment::vessel).collect(Collectors.toSet());
        List<Unassigned> unassigned = problem.vessels().stream().filter(v -> !assigned.contains(v.id()))
                .map(v -> new Unassigned(v.id(), UnassignedReason.BERTH_CAPACITY, "test")).toList();
        return new Plan(List.of(assignments), unassigned, objective);
    }

    private static ListAssert<String> violations(Problem problem, Assignment... assignments) {
        return assertThat(FeasibilityChecker.violations(problem, plan(problem, assignments)));
    }

    private static Problem oneBerth(Berth b, Vessel... vessels) {
        return problem(List.of(b), List.of(vessels));
    }

    @Test
    void acceptsACorrectPlanWithWaitingClosuresAndAnUnassignedVessel() {
        Problem p = problem(
                List.of(berth("B1").length(300).depth(14).opensAt(0).closesAt(1000).closure(100, 120).build(),
                        berth("B2").length(200).build()),
                List.of(vessel("V1").arrival(10).handling(20).length(250).draft(10).build(),
                        vessel("DEEP").arrival(20).handling(10).length(150).draft(13).latestDeparture(300).build(),
                        vessel("V2").arrival(15).handlingAt("B1", 30).handlingAt("B2", 40).weight(2).build(),
                        vessel("V5").arrival(90).handling(10).build(),
                        vessel("BIG").arrival(0).handling(10).length(400).build()),
                TIDE);
        List<Assignment> assignments = List.of(
                new Assignment("V1", "B1", 10, 30),
                new Assignment("DEEP", "B1", 30, 50), // handling ends at 40, waits for the window at 50
                new Assignment("V2", "B2", 15, 55),
                new Assignment("V5", "B1", 90, 100)); // ends exactly when the closure begins
        Plan plan = new Plan(assignments, List.of(new Unassigned("BIG", UnassignedReason.NO_COMPATIBLE_BERTH, "too long")),
                20 + 30 + 2 * 40 + 10);
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
    }

    @Test
    void acceptsTheSolversPlan() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(5).build(),
                vessel("V2").arrival(1).handling(5).build());
        Plan plan = BerthPlanner.solve(p, SolverOptions.stepLimited(10, 1)).plan();
        assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
    }

    @Test
    void flagsTwoVesselsOverlappingAtOneBerth() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).build(),
                vessel("V2").arrival(0).handling(10).build());
        violations(p, new Assignment("V1", "B1", 0, 10), new Assignment("V2", "B1", 10, 20)).isEmpty();
        violations(p, new Assignment("V1", "B1", 0, 10), new Assignment("V2", "B1", 9, 19))
                .singleElement().asString().contains("V1 and V2 overlap at B1");
    }

    @Test
    void flagsAStartBeforeArrival() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(10).handling(5).build());
        violations(p, new Assignment("V1", "B1", 10, 15)).isEmpty();
        violations(p, new Assignment("V1", "B1", 9, 14)).singleElement().asString().contains("starts before arrival");
    }

    @Test
    void flagsServiceOverlappingAClosure() {
        Problem p = oneBerth(berth("B1").closure(20, 30).build(), vessel("V1").arrival(0).handling(10).build());
        violations(p, new Assignment("V1", "B1", 10, 20)).isEmpty();
        violations(p, new Assignment("V1", "B1", 30, 40)).isEmpty();
        violations(p, new Assignment("V1", "B1", 11, 21)).singleElement().asString().contains("overlaps closure");
        violations(p, new Assignment("V1", "B1", 29, 39)).singleElement().asString().contains("overlaps closure");
    }

    @Test
    void flagsServiceOutsideTheBerthsOpeningHours() {
        Problem p = oneBerth(berth("B1").opensAt(10).closesAt(30).build(), vessel("V1").arrival(0).handling(10).build());
        violations(p, new Assignment("V1", "B1", 10, 20)).isEmpty();
        violations(p, new Assignment("V1", "B1", 20, 30)).isEmpty();
        violations(p, new Assignment("V1", "B1", 9, 19)).singleElement().asString().contains("outside opening hours");
        violations(p, new Assignment("V1", "B1", 21, 31)).singleElement().asString().contains("outside opening hours");
    }

    @Test
    void flagsABerthThatTheHandlingListDoesNotName() {
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2")),
                List.of(vessel("V1").arrival(0).handlingAt("B2", 10).build()));
        violations(p, new Assignment("V1", "B2", 0, 10)).isEmpty();
        violations(p, new Assignment("V1", "B1", 0, 10)).singleElement().asString().contains("berth not allowed");
    }

    @Test
    void flagsAVesselTooLongForItsBerth() {
        Problem p = problem(List.of(berth("B1").length(200).build(), berth("B2").length(199.9).build()),
                List.of(vessel("V1").arrival(0).handling(10).length(200).build()));
        violations(p, new Assignment("V1", "B1", 0, 10)).isEmpty();
        violations(p, new Assignment("V1", "B2", 0, 10)).singleElement().asString().contains("too long");
    }

    @Test
    void flagsAVesselTooDeepForItsBerth() {
        Problem p = problem(List.of(berth("B1").depth(12).build(), berth("B2").depth(11.9).build()),
                List.of(vessel("V1").arrival(0).handling(10).draft(12).build()));
        violations(p, new Assignment("V1", "B1", 0, 10)).isEmpty();
        violations(p, new Assignment("V1", "B2", 0, 10)).singleElement().asString().contains("too deep");
    }

    @Test
    void flagsADepartureAfterTheLatestDeparture() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).latestDeparture(15).build());
        violations(p, new Assignment("V1", "B1", 5, 15)).isEmpty();
        violations(p, new Assignment("V1", "B1", 6, 16)).singleElement().asString().contains("after latest departure");
    }

    @Test
    void flagsServiceShorterThanItsHandling() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).build());
        violations(p, new Assignment("V1", "B1", 0, 10)).isEmpty();
        // (The non-tidal "stays longer" check also fires here: it tests end != start + handling.)
        violations(p, new Assignment("V1", "B1", 0, 9)).isNotEmpty()
                .anySatisfy(v -> assertThat(v).contains("V1@B1: shorter than its handling"));
    }

    @Test
    void flagsANonTidalVesselStayingLongerThanItsHandling() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).draft(10).build());
        violations(p, new Assignment("V1", "B1", 0, 10)).isEmpty();
        violations(p, new Assignment("V1", "B1", 0, 11)).singleElement().asString().contains("stays longer than its handling");
    }

    @Test
    void flagsATidalVesselStartingOutsideEveryWindow() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(vessel("D").arrival(0).handling(5).draft(13).build()), TIDE);
        violations(p, new Assignment("D", "B1", 20, 25)).isEmpty();
        violations(p, new Assignment("D", "B1", 30, 50)).isEmpty();
        violations(p, new Assignment("D", "B1", 31, 50)).singleElement().asString().contains("starts outside every tidal window");
        violations(p, new Assignment("D", "B1", 19, 24)).singleElement().asString().contains("starts outside every tidal window");
    }

    @Test
    void flagsATidalVesselSailingOutsideEveryWindow() {
        Problem p = problem(List.of(Berth.open("B1")), List.of(vessel("D").arrival(0).handling(5).draft(13).build()), TIDE);
        violations(p, new Assignment("D", "B1", 28, 50)).isEmpty();
        violations(p, new Assignment("D", "B1", 28, 33)).singleElement().asString().contains("sails outside every tidal window");
    }

    @Test
    void flagsAVesselMissingFromThePlan() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).build(),
                vessel("V2").arrival(0).handling(10).build());
        Plan missing = new Plan(List.of(new Assignment("V1", "B1", 0, 10)), List.of(), 10);
        assertThat(FeasibilityChecker.violations(p, missing)).singleElement().asString().contains("V2: neither assigned nor unassigned");
    }

    @Test
    void flagsAVesselAssignedTwiceOrBothAssignedAndUnassigned() {
        Problem p = problem(List.of(Berth.open("B1"), Berth.open("B2")), List.of(vessel("V1").arrival(0).handling(10).build()));
        Plan twice = new Plan(List.of(new Assignment("V1", "B1", 0, 10), new Assignment("V1", "B2", 0, 10)), List.of(), 20);
        assertThat(FeasibilityChecker.violations(p, twice)).singleElement().asString().contains("assigned twice");
        Plan both = new Plan(List.of(new Assignment("V1", "B1", 0, 10)),
                List.of(new Unassigned("V1", UnassignedReason.BERTH_CAPACITY, "x")), 10);
        assertThat(FeasibilityChecker.violations(p, both)).singleElement().asString().contains("both assigned and unassigned");
    }

    @Test
    void flagsUnknownVesselsAndBerths() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).build());
        Plan plan = new Plan(List.of(new Assignment("V1", "B1", 0, 10), new Assignment("GHOST", "B1", 20, 30),
                new Assignment("V1", "B7", 40, 50)), List.of(new Unassigned("PHANTOM", UnassignedReason.BERTH_CAPACITY, "x")), 10);
        List<String> violations = FeasibilityChecker.violations(p, plan);
        assertThat(violations).hasSize(3);
        assertThat(violations).anySatisfy(v -> assertThat(v).contains("GHOST").contains("unknown vessel or berth"));
        assertThat(violations).anySatisfy(v -> assertThat(v).contains("B7").contains("unknown vessel or berth"));
        assertThat(violations).anySatisfy(v -> assertThat(v).contains("PHANTOM: unknown unassigned vessel"));
    }

    @Test
    void flagsAnUnassignedVesselWithoutAReason() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).build());
        Plan plan = new Plan(List.of(), List.of(new Unassigned("V1", null, null)), 0);
        assertThat(FeasibilityChecker.violations(p, plan)).singleElement().asString().contains("without a reason");
    }

    @Test
    void flagsAWrongObjective() {
        Problem p = oneBerth(Berth.open("B1"), vessel("V1").arrival(0).handling(10).weight(2.5).build());
        List<Assignment> a = List.of(new Assignment("V1", "B1", 3, 13));
        assertThat(FeasibilityChecker.violations(p, new Plan(a, List.of(), 32.5))).isEmpty();
        assertThat(FeasibilityChecker.violations(p, new Plan(a, List.of(), 25.0)))
                .singleElement().asString().contains("objective 25.0 but the assignments give 32.5");
        assertThat(FeasibilityChecker.violations(p, new Plan(a, List.of(), 32.6))).singleElement().asString().contains("objective");
    }

    @Test
    void reportsEveryViolationOfOneAssignment() {
        Problem p = problem(List.of(berth("B1").length(100).depth(5).opensAt(50).closure(0, 100).build()),
                List.of(vessel("V1").arrival(20).handling(10).length(200).draft(8).latestDeparture(25).build()));
        List<String> violations = new ArrayList<>(FeasibilityChecker.violations(p, plan(p, new Assignment("V1", "B1", 10, 15))));
        assertThat(String.join("\n", violations)).contains("too long", "too deep", "starts before arrival",
                "outside opening hours", "shorter than its handling", "overlaps closure");
    }
}
