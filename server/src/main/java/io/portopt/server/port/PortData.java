package io.portopt.server.port;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;

/** Stored port constraint data, as {@code GET /v1/ports/{code}} returns it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PortData(String code, String name, List<BerthData> berths, TideData tide, long version, Instant updatedAt) {
}
