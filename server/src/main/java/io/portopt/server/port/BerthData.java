package io.portopt.server.port;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** A berth as the API carries it, inline in a plan request or stored with a port. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BerthData(String id, Double lengthM, Double depthM, Instant opensAt, Instant closesAt,
                        List<TimeWindow> closures) {
}
