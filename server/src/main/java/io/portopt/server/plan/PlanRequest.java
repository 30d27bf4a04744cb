package io.portopt.server.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.portopt.server.port.BerthData;
import io.portopt.server.port.TideData;

import java.util.List;

/** Body of {@code POST /v1/plans} and {@code POST /v1/plans:validate}. Unknown fields are rejected. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PlanRequest(String port, List<BerthData> berths, List<VesselData> vessels, TideData tide, PlanOptions options) {
    public PlanRequest withVessels(List<VesselData> newVessels) {
        return new PlanRequest(port, berths, newVessels, tide, options);
    }

    public PlanRequest withBerths(List<BerthData> newBerths) {
        return new PlanRequest(port, newBerths, vessels, tide, options);
    }

    public PlanRequest withOptions(PlanOptions newOptions) {
        return new PlanRequest(port, berths, vessels, tide, newOptions);
    }
}
