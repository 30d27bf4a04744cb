package io.portopt.server.replan;

import tools.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One change of a replan. {@code type} is one of {@code eta} (vessel, arrival), {@code cancel}
 * (vessel), {@code add} (vessel: a whole vessel call), {@code handling} (vessel, handlingMinutes),
 * {@code closure} (berth, from, to: the berth closes) and {@code reopen} (berth, from, to: closures
 * within that span are lifted). {@code vessel} is an id, except for {@code add}.
 */
public record ChangeData(String type, JsonNode vessel, Instant arrival, Long handlingMinutes, String berth,
                         Instant from, Instant to) {
}
