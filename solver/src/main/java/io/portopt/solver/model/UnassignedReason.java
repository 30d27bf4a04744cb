package io.portopt.solver.model;

/** Why a vessel is not in the plan. */
public enum UnassignedReason {
    /** No berth is allowed for it, long enough and deep enough. */
    NO_COMPATIBLE_BERTH,
    /** Some berth fits, but even on an empty berth no start meets its hours, closures, tides and latest departure. */
    NO_FEASIBLE_WINDOW,
    /** It would fit an empty berth, but the other vessels leave no feasible slot for it. */
    BERTH_CAPACITY
}
