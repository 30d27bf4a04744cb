package io.portopt.server.plan;

import java.time.Instant;

/** A vessel held at a berth from a given start: it is alongside already, or the planner fixed it there. */
public record PinData(String berth, Instant start) {
}
