package io.portopt.server.plan;

import java.time.Duration;

/** Request options after defaults and limits are applied; part of the cache key. */
public record EffectiveOptions(Duration timeLimit, boolean allowApproximate, long seed) {
}
