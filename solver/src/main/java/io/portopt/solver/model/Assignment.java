package io.portopt.solver.model;

/** Vessel served at a berth over {@code [start, end)}; end may exceed start + handling when waiting for a tide. */
public record Assignment(String vessel, String berth, long start, long end) {
}
