package io.portopt.server.plan;

/** Per-request solver options; all optional. */
public record PlanOptions(Long timeLimitMs, Boolean allowApproximate, Long seed) {
}
