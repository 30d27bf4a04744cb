package io.portopt.solver;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small builders for hand-written problems; every field left out is unconstrained. */
public final class Fixtures {
    private Fixtures() {
    }

    public static VesselSpec vessel(String id) {
        return new VesselSpec(id);
    }

    public static BerthSpec berth(String id) {
        return new BerthSpec(id);
    }

    public static Problem problem(List<Berth> berths, List<Vessel> vessels) {
        return new Problem(berths, vessels, null);
    }

    public static Problem problem(List<Berth> berths, List<Vessel> vessels, Tide tide) {
        return new Problem(berths, vessels, tide);
    }

    /** A tide with the given threshold and windows given as from, to pairs (inclusive at both ends). */
    public static Tide tide(double threshold, long... fromTo) {
        List<Interval> windows = new ArrayList<>();
        for (int i = 0; i < fromTo.length; i += 2) {
            windows.add(new Interval(fromTo[i], fromTo[i + 1]));
        }
        return new Tide(threshold, windows);
    }

    public static final class VesselSpec {
        private final String id;
        private long arrival;
        private Double length;
        private Double draft;
        private double weight = Vessel.DEFAULT_WEIGHT;
        private Long handling;
        private final Map<String, Long> byBerth = new LinkedHashMap<>();
        private long latestDeparture = Long.MAX_VALUE;

        private VesselSpec(String id) {
            this.id = id;
        }

        public VesselSpec arrival(long t) {
            arrival = t;
            return this;
        }

        public VesselSpec handling(long h) {
            handling = h;
            return this;
        }

        public VesselSpec handlingAt(String berth, long h) {
            byBerth.put(berth, h);
            return this;
        }

        public VesselSpec length(double m) {
            length = m;
            return this;
        }

        public VesselSpec draft(double m) {
            draft = m;
            return this;
        }

        public VesselSpec weight(double w) {
            weight = w;
            return this;
        }

        public VesselSpec latestDeparture(long t) {
            latestDeparture = t;
            return this;
        }

        public Vessel build() {
            return new Vessel(id, arrival, length, draft, weight, handling, byBerth, latestDeparture);
        }
    }

    public static final class BerthSpec {
        private final String id;
        private Double length;
        private Double depth;
        private long opensAt = Long.MIN_VALUE;
        private long closesAt = Long.MAX_VALUE;
        private final List<Interval> closures = new ArrayList<>();

        private BerthSpec(String id) {
            this.id = id;
        }

        public BerthSpec length(double m) {
            length = m;
            return this;
        }

        public BerthSpec depth(double m) {
            depth = m;
            return this;
        }

        public BerthSpec opensAt(long t) {
            opensAt = t;
            return this;
        }

        public BerthSpec closesAt(long t) {
            closesAt = t;
            return this;
        }

        public BerthSpec closure(long from, long to) {
            closures.add(new Interval(from, to));
            return this;
        }

        public Berth build() {
            return new Berth(id, length, depth, opensAt, closesAt, closures);
        }
    }
}
