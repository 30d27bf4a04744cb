package io.portopt.solver.model;

import java.util.List;

/**
 * Tidal restriction: a vessel whose draft exceeds {@code draftThresholdM} may only start and end
 * its stay at the berth inside a window (both ends inclusive).
 */
public record Tide(double draftThresholdM, List<Interval> windows) {
    public Tide {
        windows = windows == null ? List.of() : List.copyOf(windows);
    }

    public boolean restricts(Vessel vessel) {
        return vessel.draftM() != null && vessel.draftM() > draftThresholdM;
    }
}
