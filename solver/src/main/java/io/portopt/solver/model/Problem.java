package io.portopt.solver.model;

import java.util.List;

/**
 * A berth allocation problem; {@code tide} may be null. {@code notBefore} ({@link Long#MIN_VALUE}:
 * none) is the present of a replan: no vessel that is not pinned starts before it. {@code stability}
 * (nullable) adds a replan's stability term to the objective the search minimises.
 */
public record Problem(List<Berth> berths, List<Vessel> vessels, Tide tide, long notBefore, Stability stability) {
    public Problem(List<Berth> berths, List<Vessel> vessels, Tide tide) {
        this(berths, vessels, tide, Long.MIN_VALUE, null);
    }
    public Problem {
        berths = List.copyOf(berths);
        vessels = List.copyOf(vessels);
    }
}
