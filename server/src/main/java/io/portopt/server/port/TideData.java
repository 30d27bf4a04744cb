package io.portopt.server.port;

import java.util.List;

/** Tidal restriction of a port: vessels deeper than the threshold start and sail inside a window. */
public record TideData(Double draftThresholdM, List<TimeWindow> windows) {
}
