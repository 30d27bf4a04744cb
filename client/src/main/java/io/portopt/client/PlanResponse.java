package io.portopt.client;

import java.time.Instant;
import java.util.List;

/** A plan as the API returns it; {@code cacheStatus} is the response's Cache-Status header. */
public record PlanResponse(String id, String port, String fingerprint, List<Assignment> assignments,
                           List<Unassigned> unassigned, Objective objective, Quality quality, String cacheStatus) {
    public record Assignment(String vessel, String berth, Instant start, Instant end) {
    }

    public record Unassigned(String vessel, String reason, String detail) {
    }

    public record Objective(double weightedTurnaroundMinutes) {
    }

    public record Quality(String source, boolean degraded, String reason, long solveMillis, String basedOn) {
    }

    PlanResponse withCacheStatus(String header) {
        return new PlanResponse(id, port, fingerprint, assignments, unassigned, objective, quality, header);
    }
}
