package io.portopt.solver.check;

import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Checks a plan against the problem straight from the specification, sharing no code with the
 * search: every hard constraint, every vessel accounted for exactly once, pins, fixed berths and a
 * replan's earliest start kept, objective recomputed.
 */
public final class FeasibilityChecker {
    private FeasibilityChecker() {
    }

    /** The list of violations; empty when the plan is feasible and its objective is right. */
    public static List<String> violations(Problem problem, Plan plan) {
        List<String> out = new ArrayList<>();
        Map<String, Vessel> vessels = problem.vessels().stream()
                .collect(Collectors.toMap(Vessel::id, Function.identity(), (a, b) -> a));
        Map<String, Berth> berths = problem.berths().stream()
                .collect(Collectors.toMap(Berth::id, Function.identity(), (a, b) -> a));
        Set<String> seen = new HashSet<>();
        double objective = 0;
        for (Assignment a : plan.assignments()) {
            Vessel v = vessels.get(a.vessel());
            Berth b = berths.get(a.berth());
            if (v == null || b == null) {
                out.add(a + ": unknown vessel or berth");
                continue;
            }
            if (!seen.add(v.id())) {
                out.add(v.id() + ": assigned twice");
            }
            objective += v.weight() * (a.end() - v.arrival());
            checkAssignment(problem.tide(), v, b, a, out);
            if (v.pinned() != null && (!v.pinned().berth().equals(a.berth()) || v.pinned().start() != a.start())) {
                out.add(v.id() + ": pinned at " + v.pinned().berth() + " from " + v.pinned().start() + " but planned at "
                        + a.berth() + " from " + a.start());
            }
            if (v.fixedBerth() != null && !v.fixedBerth().equals(a.berth())) {
                out.add(v.id() + ": fixed to berth " + v.fixedBerth() + " but planned at " + a.berth());
            }
            if (v.pinned() == null && a.start() < problem.notBefore()) {
                out.add(v.id() + ": starts before " + problem.notBefore() + ", the earliest start of this replan");
            }
        }
        for (Unassigned u : plan.unassigned()) {
            if (!vessels.containsKey(u.vessel())) {
                out.add(u.vessel() + ": unknown unassigned vessel");
            } else if (!seen.add(u.vessel())) {
                out.add(u.vessel() + ": both assigned and unassigned, or unassigned twice");
            }
            if (u.reason() == null) {
                out.add(u.vessel() + ": unassigned without a reason");
            }
            Vessel v = vessels.get(u.vessel());
            if (v != null && v.pinned() != null) {
                out.add(u.vessel() + ": pinned, yet unassigned");
            }
        }
        for (Vessel v : problem.vessels()) {
            if (!seen.contains(v.id())) {
                out.add(v.id() + ": neither assigned nor unassigned");
            }
        }
        Map<String, List<Assignment>> byBerth = plan.assignments().stream()
                .collect(Collectors.groupingBy(Assignment::berth));
        for (List<Assignment> list : byBerth.values()) {
            List<Assignment> sorted = list.stream().sorted(Comparator.comparingLong(Assignment::start)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).start() < sorted.get(i - 1).end()) {
                    out.add(sorted.get(i - 1).vessel() + " and " + sorted.get(i).vessel() + " overlap at " + sorted.get(i).berth());
                }
            }
        }
        if (Math.abs(objective - plan.objective()) > 1e-6 * Math.max(1, Math.abs(objective))) {
            out.add("objective " + plan.objective() + " but the assignments give " + objective);
        }
        return out;
    }

    private static void checkAssignment(Tide tide, Vessel v, Berth b, Assignment a, List<String> out) {
        String who = v.id() + "@" + b.id();
        long handling = v.handlingAt(b.id());
        if (handling < 0) {
            out.add(who + ": berth not allowed");
            return;
        }
        if (v.lengthM() != null && b.lengthM() != null && v.lengthM() > b.lengthM()) {
            out.add(who + ": too long");
        }
        if (v.draftM() != null && b.depthM() != null && v.draftM() > b.depthM()) {
            out.add(who + ": too deep");
        }
        if (a.start() < v.arrival() && v.pinned() == null) {   // a pinned vessel may be alongside already
            out.add(who + ": starts before arrival");
        }
        if (a.start() < b.opensAt() || a.end() > b.closesAt()) {
            out.add(who + ": outside opening hours");
        }
        if (a.end() > v.latestDeparture()) {
            out.add(who + ": departs after latest departure");
        }
        if (a.end() < a.start() + handling) {
            out.add(who + ": shorter than its handling time");
        }
        for (Interval c : b.closures()) {
            if (c.overlaps(a.start(), a.end())) {
                out.add(who + ": overlaps closure " + c);
            }
        }
        boolean tidal = tide != null && tide.restricts(v);
        if (tidal) {
            if (!inWindow(tide, a.start())) {
                out.add(who + ": starts outside every tidal window");
            }
            if (!inWindow(tide, a.end())) {
                out.add(who + ": sails outside every tidal window");
            }
        } else if (a.end() != a.start() + handling) {
            out.add(who + ": stays longer than its handling without a tide to wait for");
        }
    }

    private static boolean inWindow(Tide tide, long t) {
        return tide.windows().stream().anyMatch(w -> w.from() <= t && t <= w.to());
    }
}
