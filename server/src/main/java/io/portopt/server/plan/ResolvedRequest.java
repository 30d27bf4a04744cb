package io.portopt.server.plan;

import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Problem;

import java.util.List;

/**
 * A valid request in solver terms: times in epoch seconds, berths and vessels sorted by id so that
 * the order of the request does not change the plan or the cache key. {@code stored} is the request
 * as kept with its plan (berths and tide inline, no port reference), so that any server can replan
 * it later. A replan also carries the plan it is {@code basedOn} and that plan's assignments, the
 * solver's warm start and what its {@code changes} are measured against, and when its request
 * arrived ({@code receivedNanos}, 0: not tracked): a replan's time limit covers its whole answer.
 */
public record ResolvedRequest(String port, Problem problem, EffectiveOptions options, String fingerprint,
                              PlanRequest stored, String basedOn, List<Assignment> base, long receivedNanos) {
    public ResolvedRequest(String port, Problem problem, EffectiveOptions options, String fingerprint) {
        this(port, problem, options, fingerprint, null, null, null, 0);
    }

    public ResolvedRequest(String port, Problem problem, EffectiveOptions options, String fingerprint,
                           PlanRequest stored, String basedOn, List<Assignment> base) {
        this(port, problem, options, fingerprint, stored, basedOn, base, 0);
    }

    /** Key of similar problems (times quantised), for the approximate rung. */
    public String similarity(java.time.Duration quantum) {
        return io.portopt.solver.Similarity.key(problem, Math.max(1, quantum.toSeconds()));
    }

    public boolean isReplan() {
        return basedOn != null;
    }

    /** This request as a replan of {@code basedOn}: its key names the base plan too. */
    public ResolvedRequest asReplanOf(String basePlanId, List<Assignment> baseAssignments, long receivedNanos) {
        String key = io.portopt.solver.Similarity.sha256(fingerprint + "|replan-of:" + basePlanId);
        return new ResolvedRequest(port, problem, options, key, stored, basePlanId, List.copyOf(baseAssignments), receivedNanos);
    }
}
