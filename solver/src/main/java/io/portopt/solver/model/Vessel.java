package io.portopt.solver.model;

import java.util.Map;

/**
 * A vessel call. {@code handling} applies at every berth unless {@code handlingByBerth} is given,
 * which then lists the only berths the vessel may use. {@link Long#MAX_VALUE} as latest departure
 * means "no deadline". Physical fields are optional (null = unconstrained). {@code fixedBerth}
 * (nullable) is the only berth it may use; {@code pinned} (nullable) holds it at a berth and start.
 */
public record Vessel(String id, long arrival, Double lengthM, Double draftM, double weight,
                     Long handling, Map<String, Long> handlingByBerth, long latestDeparture, String fixedBerth, Pin pinned) {
    public Vessel(String id, long arrival, Double lengthM, Double draftM, double weight, Long handling,
                  Map<String, Long> handlingByBerth, long latestDeparture) {
        this(id, arrival, lengthM, draftM, weight, handling, handlingByBerth, latestDeparture, null, null);
    }

    public Vessel withArrival(long newArrival) {
        return new Vessel(id, newArrival, lengthM, draftM, weight, handling, handlingByBerth, latestDeparture, fixedBerth, pinned);
    }
    public static final double DEFAULT_WEIGHT = 1.0;

    public Vessel {
        handlingByBerth = handlingByBerth == null ? Map.of() : Map.copyOf(handlingByBerth);
    }

    /** Handling time at a berth, or -1 when the vessel may not use it (physical fit aside). */
    public long handlingAt(String berthId) {
        if (!handlingByBerth.isEmpty()) {
            Long h = handlingByBerth.get(berthId);
            return h == null ? -1 : h;
        }
        return handling == null ? -1 : handling;
    }
}
