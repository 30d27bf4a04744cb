package io.portopt.solver.model;

import java.util.List;

/**
 * A berth plan. {@code objective} is the weighted total turnaround, sum of weight x (end - arrival),
 * in the problem's time unit.
 */
public record Plan(List<Assignment> assignments, List<Unassigned> unassigned, double objective) {
    public Plan {
        assignments = List.copyOf(assignments);
        unassigned = List.copyOf(unassigned);
    }
}
