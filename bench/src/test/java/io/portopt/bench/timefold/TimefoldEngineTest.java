package io.portopt.bench.timefold;

import io.portopt.bench.InstanceShapes;
import io.portopt.bench.SolverBench;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Problem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The Timefold comparison model gives plans the independent checker accepts, on every shape. */
class TimefoldEngineTest {
    static final List<String> SHAPES = InstanceShapes.SHAPES;

    @ParameterizedTest
    @FieldSource("SHAPES")
    void plansAreFeasible(String shape) {
        Problem problem = InstanceShapes.generate(shape, 40, 4, 5, 0);
        SolverBench.Run run = new TimefoldEngine().solve(problem, 300, 1);
        assertThat(FeasibilityChecker.violations(problem, run.plan())).isEmpty();
        assertThat(run.plan().assignments()).isNotEmpty();
    }
}
