package io.portopt.server.plan;

import java.time.Instant;

/** A plan row to write: the full response body as first served, plus what we index it by. */
record PlanRecord(String id, String tenant, String fingerprint, String port, String source, int vessels, double objective,
                  long solveMillis, byte[] body, Instant createdAt) {
}
