package io.portopt.solver;

import io.portopt.solver.model.Plan;

import java.util.function.Supplier;

/**
 * Told of each new best plan of a solve, synchronously on the solving thread: {@code objective} and
 * {@code assigned} are that plan's {@link Plan#objective()} and assignment count; {@code plan}
 * builds the plan itself, valid only during the call (a listener that does not need it pays nothing).
 */
@FunctionalInterface
public interface Progress {
    void improved(long elapsedMillis, double objective, int assigned, Supplier<Plan> plan);
}
