package io.portopt.server.port;

import java.util.List;

/** Body of {@code PUT /v1/ports/{code}}; {@code code}, when given, must match the path. */
public record PortBody(String code, String name, List<BerthData> berths, TideData tide) {
}
