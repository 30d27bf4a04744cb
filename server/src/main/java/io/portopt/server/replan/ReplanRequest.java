package io.portopt.server.replan;

import io.portopt.server.plan.PlanOptions;

import java.time.Instant;
import java.util.List;

/**
 * Body of {@code POST /v1/plans/{id}:replan}: the changes since the base plan, the present
 * ({@code now}, default: the server's clock) and how far ahead plans are frozen.
 */
public record ReplanRequest(Instant now, Long freezeMinutes, List<ChangeData> changes, PlanOptions options) {
}
