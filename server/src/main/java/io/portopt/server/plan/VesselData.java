package io.portopt.server.plan;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.Map;

/**
 * A vessel call as the API carries it; durations in minutes. {@code pinned} fixes its berth and
 * start (a vessel already alongside); {@code fixedBerth} fixes only its berth.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VesselData(String id, Instant arrival, Double lengthM, Double draftM, Double weight,
                         Long handlingMinutes, Map<String, Long> handlingMinutesByBerth, Instant latestDeparture,
                         PinData pinned, String fixedBerth) {
    public VesselData withArrival(Instant newArrival) {
        return new VesselData(id, newArrival, lengthM, draftM, weight, handlingMinutes, handlingMinutesByBerth,
                latestDeparture, pinned, fixedBerth);
    }

    public VesselData withPinned(PinData pin) {
        return new VesselData(id, arrival, lengthM, draftM, weight, handlingMinutes, handlingMinutesByBerth,
                latestDeparture, pin, fixedBerth);
    }

    /** Handling changed: the same minutes at every berth it may use (its allowed berths kept). */
    public VesselData withHandling(long minutes) {
        Map<String, Long> byBerth = null;
        if (handlingMinutesByBerth != null && !handlingMinutesByBerth.isEmpty()) {
            byBerth = new java.util.LinkedHashMap<>();
            for (String berth : handlingMinutesByBerth.keySet()) {
                byBerth.put(berth, minutes);
            }
        }
        return new VesselData(id, arrival, lengthM, draftM, weight, byBerth == null ? minutes : null, byBerth,
                latestDeparture, pinned, fixedBerth);
    }
}
