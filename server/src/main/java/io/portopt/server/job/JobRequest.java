package io.portopt.server.job;

import io.portopt.server.plan.PlanOptions;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.VesselData;
import io.portopt.server.port.BerthData;
import io.portopt.server.port.TideData;

import java.util.List;

/**
 * Body of {@code POST /v1/jobs}: a plan request (time limits up to {@code portopt.jobs.max-time-limit})
 * and an optional completion webhook, which must be on the configured allow-list.
 */
public record JobRequest(String port, List<BerthData> berths, List<VesselData> vessels, TideData tide, PlanOptions options,
                         String callbackUrl) {
    PlanRequest planRequest() {
        return new PlanRequest(port, berths, vessels, tide, options);
    }
}
