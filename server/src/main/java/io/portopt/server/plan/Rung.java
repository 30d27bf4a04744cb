package io.portopt.server.plan;

/** The rung of the degradation ladder that answered a plan request. */
public enum Rung {
    CACHE("cache", false),
    COALESCED("coalesced", false),
    SOLVED("solved", false),
    APPROXIMATE("approximate", true),
    HEURISTIC("heuristic", true),
    SHED("shed", true),
    /** A retried request (same Idempotency-Key) answered with the plan it was first given. */
    REPLAY("replay", false);

    private final String label;
    private final boolean degraded;

    Rung(String label, boolean degraded) {
        this.label = label;
        this.degraded = degraded;
    }

    public String label() {
        return label;
    }

    public boolean degraded() {
        return degraded;
    }

    /** RFC 9211 cache status; {@code portopt} names the cache, the rung is in a parameter. */
    public String cacheStatus() {
        return switch (this) {
            case CACHE -> "portopt; hit; detail=cache";
            case REPLAY -> "portopt; hit; detail=replay";
            case COALESCED -> "portopt; fwd=miss; collapsed; detail=coalesced";
            default -> "portopt; fwd=miss; detail=" + label;
        };
    }
}
