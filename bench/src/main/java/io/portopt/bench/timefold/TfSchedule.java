package io.portopt.bench.timefold;

import ai.timefold.solver.core.api.domain.solution.PlanningEntityCollectionProperty;
import ai.timefold.solver.core.api.domain.solution.PlanningScore;
import ai.timefold.solver.core.api.domain.solution.PlanningSolution;
import ai.timefold.solver.core.api.domain.solution.ProblemFactCollectionProperty;
import ai.timefold.solver.core.api.domain.valuerange.ValueRangeProvider;
import ai.timefold.solver.core.api.score.HardMediumSoftScore;

import java.util.List;

/**
 * The planning solution: berths holding vessel sequences. Score: hard = vessels at a berth they
 * may not use or past their latest departure or the berth's closing, medium = vessels left
 * unassigned, soft = weighted turnaround (x {@link TfTiming#SOFT_SCALE}).
 */
@PlanningSolution
public class TfSchedule {
    @ProblemFactCollectionProperty
    @ValueRangeProvider
    private List<TfVessel> vessels;
    @PlanningEntityCollectionProperty
    private List<TfBerth> berths;
    @PlanningScore
    private HardMediumSoftScore score;
    /** The timing rule and problem data (shared, never changed by the solver). */
    private TfTiming timing;

    public TfSchedule() {
    }

    public TfSchedule(List<TfVessel> vessels, List<TfBerth> berths, TfTiming timing) {
        this.vessels = vessels;
        this.berths = berths;
        this.timing = timing;
    }

    public List<TfVessel> getVessels() {
        return vessels;
    }

    public void setVessels(List<TfVessel> vessels) {
        this.vessels = vessels;
    }

    public List<TfBerth> getBerths() {
        return berths;
    }

    public void setBerths(List<TfBerth> berths) {
        this.berths = berths;
    }

    public HardMediumSoftScore getScore() {
        return score;
    }

    public void setScore(HardMediumSoftScore score) {
        this.score = score;
    }

    public TfTiming getTiming() {
        return timing;
    }

    public void setTiming(TfTiming timing) {
        this.timing = timing;
    }
}
