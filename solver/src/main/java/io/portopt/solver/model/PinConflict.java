package io.portopt.solver.model;

/**
 * A pin that cannot hold: it overlaps the pin of vessel {@code other}, or breaks a hard constraint
 * ({@code other} then names the berth or the constraint). {@code reason} says which, for people.
 */
public record PinConflict(String vessel, String other, String reason) {
}
