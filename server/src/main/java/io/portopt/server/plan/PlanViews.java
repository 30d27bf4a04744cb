package io.portopt.server.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** The JSON shapes of a plan response. */
final class PlanViews {
    private PlanViews() {
    }

    /** Everything but {@code quality}, which depends on how a particular request was answered. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(String id, String port, String fingerprint, String solver, Instant createdAt,
                List<AssignmentView> assignments, List<UnassignedView> unassigned, ObjectiveView objective) {
    }

    record AssignmentView(String vessel, String berth, Instant start, Instant end) {
    }

    record UnassignedView(String vessel, String reason, String detail) {
    }

    record ObjectiveView(double weightedTurnaroundMinutes) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Quality(String source, boolean degraded, String reason, long solveMillis, String basedOn) {
    }
}
