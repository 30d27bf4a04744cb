package io.portopt.solver.model;

import java.util.List;

/**
 * A berth. Times are in the problem's time unit; {@link Long#MIN_VALUE} / {@link Long#MAX_VALUE}
 * mean "always open". Physical fields are optional (null = unconstrained).
 */
public record Berth(String id, Double lengthM, Double depthM, long opensAt, long closesAt, List<Interval> closures) {
    public Berth {
        closures = closures == null ? List.of() : List.copyOf(closures);
    }

    public static Berth open(String id) {
        return new Berth(id, null, null, Long.MIN_VALUE, Long.MAX_VALUE, List.of());
    }
}
