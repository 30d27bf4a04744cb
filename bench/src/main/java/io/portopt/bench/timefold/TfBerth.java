package io.portopt.bench.timefold;

import ai.timefold.solver.core.api.domain.common.PlanningId;
import ai.timefold.solver.core.api.domain.entity.PlanningEntity;
import ai.timefold.solver.core.api.domain.variable.PlanningListVariable;

import java.util.ArrayList;
import java.util.List;

/** A berth: the planning entity whose list variable is its sequence of vessels (unassigned allowed). */
@PlanningEntity
public class TfBerth {
    @PlanningId
    private String id;
    private int index;
    @PlanningListVariable(allowsUnassignedValues = true)
    private List<TfVessel> vessels = new ArrayList<>();

    public TfBerth() {
    }

    public TfBerth(String id, int index) {
        this.id = id;
        this.index = index;
    }

    public String getId() {
        return id;
    }

    public int getIndex() {
        return index;
    }

    public List<TfVessel> getVessels() {
        return vessels;
    }

    public void setVessels(List<TfVessel> vessels) {
        this.vessels = vessels;
    }

    @Override
    public String toString() {
        return id;
    }
}
