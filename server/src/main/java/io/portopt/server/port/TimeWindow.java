package io.portopt.server.port;

import java.time.Instant;

/** {@code [from, to)} for closures; both ends inclusive for tidal windows. */
public record TimeWindow(Instant from, Instant to) {
}
