package io.portopt.bench;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.SolverOptions;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InstanceShapesTest {
    static final List<String> SHAPES = InstanceShapes.SHAPES;

    private static long allowedBerths(Problem p, Vessel v) {
        return p.berths().stream().filter(b -> v.handlingAt(b.id()) >= 0).count();
    }

    @ParameterizedTest
    @FieldSource("SHAPES")
    void sameSeedAndIndexGiveTheSameProblemOthersDiffer(String shape) {
        assertThat(InstanceShapes.generate(shape, 40, 5, 3, 1)).isEqualTo(InstanceShapes.generate(shape, 40, 5, 3, 1));
        assertThat(InstanceShapes.generate(shape, 40, 5, 3, 1)).isNotEqualTo(InstanceShapes.generate(shape, 40, 5, 3, 2));
        assertThat(InstanceShapes.generate(shape, 40, 5, 3, 1)).isNotEqualTo(InstanceShapes.generate(shape, 40, 5, 4, 1));
    }

    @ParameterizedTest
    @FieldSource("SHAPES")
    void everyShapeHasTheAskedSizeAndEveryVesselSomeBerth(String shape) {
        for (int i = 0; i < 5; i++) {
            Problem p = InstanceShapes.generate(shape, 60, 1 + i * 3, 7, i);
            assertThat(p.vessels()).hasSize(60);
            assertThat(p.berths()).hasSize(1 + i * 3);
            assertThat(BerthPlanner.precheck(p)).as("vessels no plan can place").isEmpty();
        }
    }

    @ParameterizedTest
    @FieldSource("SHAPES")
    void plansForEveryShapeAreFeasible(String shape) {
        for (int i = 0; i < 3; i++) {
            Problem p = InstanceShapes.generate(shape, 80, 6, 11, i);
            Plan plan = BerthPlanner.solve(p, SolverOptions.stepLimited(300, i)).plan();
            assertThat(FeasibilityChecker.violations(p, plan)).isEmpty();
        }
    }

    @Test
    void kramerLikeHasBerthDependentHandlingAndForbiddenBerths() {
        Problem p = InstanceShapes.generate("kramer-like", 200, 15, 1, 0);
        assertThat(p.vessels()).anyMatch(v -> v.handlingByBerth().values().stream().distinct().count() > 1);
        assertThat(p.vessels()).anyMatch(v -> allowedBerths(p, v) < 15);
        assertThat(p.vessels()).allMatch(v -> v.weight() == 1.0 && v.lengthM() == null && v.draftM() == null);
    }

    @Test
    void staggeredBerthsOpenAndCloseAtDifferentTimes() {
        Problem p = InstanceShapes.generate("staggered", 100, 9, 1, 0);
        assertThat(p.berths().stream().map(Berth::opensAt).distinct().count()).isGreaterThan(3);
        assertThat(p.berths().stream().map(Berth::closesAt).distinct().count()).isGreaterThan(3);
    }

    @Test
    void heavyLeavesSomeVesselsOutBecauseDeparturesBind() {
        int leftOut = 0;
        for (int i = 0; i < 3; i++) {
            Problem p = InstanceShapes.generate("heavy", 120, 6, 1, i);
            assertThat(p.vessels()).allMatch(v -> v.latestDeparture() < Long.MAX_VALUE);
            leftOut += BerthPlanner.solve(p, SolverOptions.stepLimited(500, 1)).plan().unassigned().size();
        }
        assertThat(leftOut).isPositive();
    }

    @Test
    void tightAllowsOneToThreeBerths() {
        Problem p = InstanceShapes.generate("tight", 200, 15, 1, 0);
        assertThat(p.vessels()).allMatch(v -> allowedBerths(p, v) >= 1 && allowedBerths(p, v) <= 3);
        assertThat(p.vessels()).anyMatch(v -> allowedBerths(p, v) == 1);
        assertThat(p.vessels()).anyMatch(v -> allowedBerths(p, v) == 3);
    }

    @Test
    void physicalHasDimensionsClosuresTidesAndWeights() {
        Problem p = InstanceShapes.generate("physical", 200, 12, 1, 0);
        assertThat(p.tide()).isNotNull();
        assertThat(p.vessels()).anyMatch(v -> p.tide().restricts(v));
        assertThat(p.berths()).allMatch(b -> b.lengthM() != null && b.depthM() != null);
        assertThat(p.berths()).anyMatch(b -> !b.closures().isEmpty());
        assertThat(p.vessels()).allMatch(v -> v.weight() >= 0.5 && v.weight() <= 5);
        assertThat(p.vessels().stream().map(Vessel::weight).distinct().count()).isGreaterThan(5);
        assertThat(p.vessels()).anyMatch(v -> v.latestDeparture() < Long.MAX_VALUE);
    }

    @Test
    void unknownShapeIsRejected() {
        assertThatThrownBy(() -> InstanceShapes.generate("round", 10, 2, 1, 0)).hasMessageContaining("kramer-like");
    }
}
