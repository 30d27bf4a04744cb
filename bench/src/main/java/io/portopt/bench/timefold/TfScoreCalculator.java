package io.portopt.bench.timefold;

import ai.timefold.solver.core.api.score.HardMediumSoftScore;
import ai.timefold.solver.core.api.score.calculator.IncrementalScoreCalculator;

import java.util.List;

/**
 * Incremental score: each berth's part of the score is kept, and a berth whose list changed is
 * re-timed from scratch at the next score calculation (vessels in list order, each as early as
 * the rule allows). A vessel that cannot be served where it is counts one hard point and is timed
 * relaxed so that the vessels behind it still are; unassigned vessels count one medium point each.
 */
public class TfScoreCalculator implements IncrementalScoreCalculator<TfSchedule, HardMediumSoftScore> {
    private TfTiming timing;
    private List<TfBerth> berths;
    private long[] berthHard;
    private long[] berthSoft;
    private int[] berthSize;
    private boolean[] dirty;
    private int[] dirtyList;
    private int dirtyCount;
    private long hard;
    private long soft;
    private int assigned;
    private final long[] out = new long[2];

    @Override
    public void resetWorkingSolution(TfSchedule solution) {
        timing = solution.getTiming();
        berths = solution.getBerths();
        int m = berths.size();
        berthHard = new long[m];
        berthSoft = new long[m];
        berthSize = new int[m];
        dirty = new boolean[m];
        dirtyList = new int[m];
        dirtyCount = 0;
        hard = 0;
        soft = 0;
        assigned = 0;
        for (TfBerth berth : berths) {
            markDirty(berth);
        }
    }

    private void markDirty(Object entity) {
        int b = ((TfBerth) entity).getIndex();
        if (!dirty[b]) {
            dirty[b] = true;
            dirtyList[dirtyCount++] = b;
        }
    }

    @Override
    public void beforeVariableChanged(Object entity, String variableName) {
        // No basic planning variables in this model.
    }

    @Override
    public void afterVariableChanged(Object entity, String variableName) {
        // No basic planning variables in this model.
    }

    @Override
    public void beforeListVariableChanged(Object entity, String variableName, int fromIndex, int toIndex) {
        markDirty(entity);
    }

    @Override
    public void afterListVariableChanged(Object entity, String variableName, int fromIndex, int toIndex) {
        markDirty(entity);
    }

    @Override
    public HardMediumSoftScore calculateScore() {
        for (int i = 0; i < dirtyCount; i++) {
            int b = dirtyList[i];
            dirty[b] = false;
            hard -= berthHard[b];
            soft -= berthSoft[b];
            assigned -= berthSize[b];
            retime(b);
            hard += berthHard[b];
            soft += berthSoft[b];
            assigned += berthSize[b];
        }
        dirtyCount = 0;
        return HardMediumSoftScore.of(-hard, -(timing.vesselCount - assigned), -soft);
    }

    private void retime(int b) {
        List<TfVessel> list = berths.get(b).getVessels();
        long ready = Long.MIN_VALUE;
        long h = 0;
        long s = 0;
        for (TfVessel vessel : list) {
            int v = vessel.getIndex();
            if (!timing.time(v, b, ready, out)) {
                h++;
            }
            ready = out[1];
            s += timing.weightScaled[v] * (out[1] - timing.arrival[v]);
        }
        berthHard[b] = h;
        berthSoft[b] = s;
        berthSize[b] = list.size();
    }
}
