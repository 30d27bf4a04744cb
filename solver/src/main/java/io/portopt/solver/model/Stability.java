package io.portopt.solver.model;

import java.util.List;
import java.util.Map;

/**
 * The stability term of a replan: for each vessel of the {@code base} plan that is assigned again,
 * {@code perBerthMove} when it is at another berth, plus {@code perTimeUnitShift} per time unit its
 * start moved (either way). Vessels the base plan does not place cost nothing extra. In the
 * objective's unit (weight x time).
 */
public record Stability(Map<String, Assignment> base, double perBerthMove, double perTimeUnitShift) {
    public Stability {
        base = Map.copyOf(base);
        if (!(perBerthMove >= 0) || !(perTimeUnitShift >= 0)) {
            throw new IllegalArgumentException("stability penalties must be zero or positive");
        }
    }

    public double penalty(List<Assignment> assignments) {
        double sum = 0;
        for (Assignment a : assignments) {
            Assignment was = base.get(a.vessel());
            if (was != null) {
                sum += (was.berth().equals(a.berth()) ? 0 : perBerthMove) + perTimeUnitShift * Math.abs(a.start() - was.start());
            }
        }
        return sum;
    }
}
