package io.portopt.server.plan;

import java.time.Instant;
import java.util.Map;

/** A vessel call as the API carries it; durations in minutes. */
public record VesselData(String id, Instant arrival, Double lengthM, Double draftM, Double weight,
                         Long handlingMinutes, Map<String, Long> handlingMinutesByBerth, Instant latestDeparture) {
}
