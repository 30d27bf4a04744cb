package io.portopt.bench.timefold;

import ai.timefold.solver.core.api.domain.common.PlanningId;

/** A vessel as a planning value of the berths' list variable; {@code index} points into {@link TfTiming}. */
public class TfVessel {
    @PlanningId
    private String id;
    private int index;

    public TfVessel() {
    }

    public TfVessel(String id, int index) {
        this.id = id;
        this.index = index;
    }

    public String getId() {
        return id;
    }

    public int getIndex() {
        return index;
    }

    @Override
    public String toString() {
        return id;
    }
}
