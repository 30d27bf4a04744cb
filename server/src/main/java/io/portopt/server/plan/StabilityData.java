package io.portopt.server.plan;

/**
 * The stability term of a replan, in the objective's unit (weighted minutes): {@code perBerthMove}
 * for each vessel planned at another berth than in the base plan, {@code perHourShift} for each
 * hour its start moves (either way). 0 and 0 turn it off.
 */
public record StabilityData(Double perBerthMove, Double perHourShift) {
    public static final double DEFAULT_PER_BERTH_MOVE = 60;
    public static final double DEFAULT_PER_HOUR_SHIFT = 5;
}
