package io.portopt.solver.model;

/** A half-open time interval {@code [from, to)} in the problem's time unit. */
public record Interval(long from, long to) {
    public Interval {
        if (to <= from) {
            throw new IllegalArgumentException("interval must end after it starts: [" + from + ", " + to + ")");
        }
    }

    public boolean overlaps(long start, long end) {
        return start < to && from < end;
    }
}
