package io.portopt.solver;

import io.portopt.solver.model.Plan;

public record SolveResult(Plan plan, SolveStats stats) {
}
