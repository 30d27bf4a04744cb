package io.portopt.server.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

/** Per-request solver options; all optional. {@code stability} applies to replans only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanOptions(Long timeLimitMs, Boolean allowApproximate, Long seed, StabilityData stability) {
    public PlanOptions(Long timeLimitMs, Boolean allowApproximate, Long seed) {
        this(timeLimitMs, allowApproximate, seed, null);
    }
}
