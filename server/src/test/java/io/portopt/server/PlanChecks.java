package io.portopt.server;

import io.portopt.client.PlanResponse;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.RequestMapper;
import io.portopt.server.system.JsonConfig;
import io.portopt.solver.check.FeasibilityChecker;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.UnassignedReason;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Checks a plan from the API with the solver's independent feasibility checker. */
public final class PlanChecks {
    private static final JsonMapper JSON = JsonConfig.strictMapper();

    private PlanChecks() {
    }

    /** Re-reads the request as the server does and checks the plan; returns the solver problem. */
    public static Problem assertFeasible(RequestMapper mapper, Object request, PlanResponse plan) {
        PlanRequest parsed = JSON.readValue(JSON.writeValueAsBytes(request), PlanRequest.class);
        RequestMapper.Outcome outcome = mapper.map(parsed, code -> null);
        assertThat(outcome.errors()).isEmpty();
        Problem problem = outcome.request().problem();
        List<Assignment> assignments = plan.assignments().stream()
                .map(a -> new Assignment(a.vessel(), a.berth(), a.start().getEpochSecond(), a.end().getEpochSecond()))
                .toList();
        List<Unassigned> unassigned = plan.unassigned().stream()
                .map(u -> new Unassigned(u.vessel(), UnassignedReason.valueOf(u.reason()), u.detail())).toList();
        Plan solverPlan = new Plan(assignments, unassigned, plan.objective().weightedTurnaroundMinutes() * 60);
        assertThat(FeasibilityChecker.violations(problem, solverPlan)).isEmpty();
        return problem;
    }
}
