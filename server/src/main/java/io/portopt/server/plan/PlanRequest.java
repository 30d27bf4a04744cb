package io.portopt.server.plan;

import io.portopt.server.port.BerthData;
import io.portopt.server.port.TideData;

import java.util.List;

/** Body of {@code POST /v1/plans} and {@code POST /v1/plans:validate}. Unknown fields are rejected. */
public record PlanRequest(String port, List<BerthData> berths, List<VesselData> vessels, TideData tide, PlanOptions options) {
}
