package io.portopt.server.port;

import java.time.Instant;

/** One line of {@code GET /v1/ports}. */
public record PortSummary(String code, String name, int berths, long version, Instant updatedAt) {
}
