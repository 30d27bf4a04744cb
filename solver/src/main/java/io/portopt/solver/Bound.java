package io.portopt.solver;

/**
 * How far a plan can be from the optimum: {@code lowerBound} is a value no plan can beat (among
 * plans that place at least as many vessels), in the plan objective's units; {@code gap} =
 * (objective - lowerBound) / objective, 0 for a plan proven optimal. Computed by
 * {@link LowerBound} in {@code millis} of the solve's own time limit.
 */
public record Bound(double lowerBound, double gap, boolean optimal, int iterations, long bucketWidth, long millis) {
}
