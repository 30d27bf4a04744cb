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
    record Body(String id, String port, String fingerprint, String solver, Instant createdAt, String basedOn,
                List<AssignmentView> assignments, List<UnassignedView> unassigned, ObjectiveView objective,
                List<ChangeView> changes) {
    }

    /**
     * How a replan differs from its base, per vessel: {@code movedBerth} (maybe shifted too),
     * {@code shifted}, {@code unassigned} (was placed), {@code assigned} (was not), {@code cancelled}.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChangeView(String vessel, String kind, String fromBerth, String toBerth, Long shiftMinutes) {
    }

    record AssignmentView(String vessel, String berth, Instant start, Instant end) {
    }

    record UnassignedView(String vessel, String reason, String detail) {
    }

    /** {@code stabilityPenalty}: a replan's stability term against its base, in the same unit; absent otherwise. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ObjectiveView(double weightedTurnaroundMinutes, Double stabilityPenalty) {
    }

    /**
     * {@code lowerBound} (minutes, like the objective): no plan placing as many vessels costs less;
     * {@code gap} = (objective - lowerBound) / objective; {@code optimal} when the gap is zero.
     * Absent for a plan no search made (the heuristic rung).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Quality(String source, boolean degraded, String reason, long solveMillis, String basedOn,
                   Double lowerBound, Double gap, Boolean optimal) {
    }
}
