package io.portopt.server.plan;

import java.time.Instant;

/**
 * A plan row to write: the full response body as first served, plus what we index it by, and the
 * request it answers ({@link ResolvedRequest#stored()} as JSON) so it can be replanned.
 */
record PlanRecord(String id, String tenant, String fingerprint, String port, String source, int vessels, double objective,
                  long solveMillis, byte[] body, Instant createdAt, byte[] request, String basedOn) {
    PlanRecord(String id, String tenant, String fingerprint, String port, String source, int vessels, double objective,
               long solveMillis, byte[] body, Instant createdAt) {
        this(id, tenant, fingerprint, port, source, vessels, objective, solveMillis, body, createdAt, null, null);
    }
}
