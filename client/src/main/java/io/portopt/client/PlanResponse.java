package io.portopt.client;

import java.time.Instant;
import java.util.List;

/**
 * A plan as the API returns it; {@code cacheStatus} is the response's Cache-Status header. A replan
 * also names the plan it is {@code basedOn} and lists its {@code changes} against it.
 */
public record PlanResponse(String id, String port, String fingerprint, String basedOn, List<Assignment> assignments,
                           List<Unassigned> unassigned, Objective objective, Quality quality, List<Change> changes,
                           String cacheStatus) {
    public record Assignment(String vessel, String berth, Instant start, Instant end) {
    }

    public record Unassigned(String vessel, String reason, String detail) {
    }

    /** {@code stabilityPenalty}: a replan's stability term (null for other plans). */
    public record Objective(double weightedTurnaroundMinutes, Double stabilityPenalty) {
    }

    /**
     * {@code lowerBound} (minutes; null for a heuristic plan): no plan placing as many vessels costs
     * less; {@code gap} = (objective - lowerBound) / objective; {@code optimal} when it is zero.
     */
    public record Quality(String source, boolean degraded, String reason, long solveMillis, String basedOn,
                          Double lowerBound, Double gap, Boolean optimal) {
    }

    /** {@code kind}: movedBerth, shifted, unassigned, assigned or cancelled. */
    public record Change(String vessel, String kind, String fromBerth, String toBerth, Long shiftMinutes) {
    }

    PlanResponse withCacheStatus(String header) {
        return new PlanResponse(id, port, fingerprint, basedOn, assignments, unassigned, objective, quality, changes, header);
    }
}
