package io.portopt.solver;

import io.portopt.solver.model.Plan;

/** A solve's plan, what the solve did, and the plan's proven bound ({@code null} when none was computed). */
public record SolveResult(Plan plan, SolveStats stats, Bound bound) {
}
