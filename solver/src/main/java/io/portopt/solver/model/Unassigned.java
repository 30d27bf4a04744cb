package io.portopt.solver.model;

public record Unassigned(String vessel, UnassignedReason reason, String detail) {
}
