package io.portopt.solver.model;

import java.util.List;

/** A berth allocation problem; {@code tide} may be null. */
public record Problem(List<Berth> berths, List<Vessel> vessels, Tide tide) {
    public Problem {
        berths = List.copyOf(berths);
        vessels = List.copyOf(vessels);
    }
}
