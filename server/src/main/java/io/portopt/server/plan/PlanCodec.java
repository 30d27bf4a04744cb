package io.portopt.server.plan;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.model.Plan;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/** Turns solver plans into response bytes (times back to instants, objective to minutes). */
final class PlanCodec {
    private static final double SECONDS_PER_MINUTE = 60.0;
    private final JsonMapper mapper;

    PlanCodec(JsonMapper mapper) {
        this.mapper = mapper;
    }

    StoredPlan encode(String id, ResolvedRequest request, Plan plan, io.portopt.solver.Bound bound, Instant createdAt) {
        List<PlanViews.AssignmentView> assignments = plan.assignments().stream()
                .map(a -> new PlanViews.AssignmentView(a.vessel(), a.berth(),
                        Instant.ofEpochSecond(a.start()), Instant.ofEpochSecond(a.end())))
                .toList();
        List<PlanViews.UnassignedView> unassigned = plan.unassigned().stream()
                .map(u -> new PlanViews.UnassignedView(u.vessel(), u.reason().name(), u.detail()))
                .toList();
        List<PlanViews.ChangeView> changes = null;
        Double penalty = null;
        if (request.isReplan()) {
            java.util.Set<String> vessels = new java.util.HashSet<>();
            request.problem().vessels().forEach(v -> vessels.add(v.id()));
            changes = PlanDiff.between(request.base(), plan, vessels);
            var stability = request.problem().stability();
            penalty = stability == null ? 0.0 : stability.penalty(plan.assignments()) / SECONDS_PER_MINUTE;
        }
        PlanViews.Body body = new PlanViews.Body(id, request.port(), request.fingerprint(), BerthPlanner.VERSION,
                createdAt, request.basedOn(), assignments, unassigned,
                new PlanViews.ObjectiveView(plan.objective() / SECONDS_PER_MINUTE, penalty), changes);
        byte[] json = mapper.writeValueAsBytes(body);
        return new StoredPlan(id, Arrays.copyOf(json, json.length - 1), bound == null ? null : minutes(bound));
    }

    /**
     * The solver's bound in the response's units: minutes, rounded down (a bound must stay below
     * every plan), and the gap rounded up (never claiming more than was proven).
     */
    private static StoredPlan.Bound minutes(io.portopt.solver.Bound bound) {
        double lower = Math.floor(bound.lowerBound() / SECONDS_PER_MINUTE * 1000) / 1000;
        double gap = bound.optimal() ? 0 : Math.ceil(bound.gap() * 1e6) / 1e6;
        return new StoredPlan.Bound(lower, gap, bound.optimal());
    }

    /** The request a plan answers, as stored with it for later replans. */
    byte[] requestBytes(ResolvedRequest request) {
        return request.stored() == null ? null : mapper.writeValueAsBytes(request.stored());
    }

    byte[] quality(Rung rung, String reason, long solveMillis, String basedOn, StoredPlan.Bound bound) {
        return mapper.writeValueAsBytes(new PlanViews.Quality(rung.label(), rung.degraded(), reason, solveMillis, basedOn,
                bound == null ? null : bound.lowerBoundMinutes(), bound == null ? null : bound.gap(),
                bound == null ? null : bound.optimal()));
    }
}
