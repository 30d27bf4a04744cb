package io.portopt.solver;

import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Pin;
import io.portopt.solver.model.PinConflict;
import io.portopt.solver.model.Plan;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Unassigned;
import io.portopt.solver.model.Vessel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pins, fixed berths and "not before" as a plain problem for the search. A pinned vessel leaves the
 * search: its stay becomes a closure of its berth over exactly [start, end) that the timing rule
 * gives it (so its neighbours see what they would see next to a vessel there), and it is put back
 * into the plan afterwards; it can never be moved. A fixed berth narrows the vessel's allowed
 * berths to one. "Not before" becomes a later release for the search, while the objective is still
 * counted from the real arrival: the two differ by a constant per vessel, so the search optimises
 * the same thing.
 */
final class Pinning {
    /** The search's problem, the pinned vessels' stays, and what completing the plan needs. */
    record Prepared(Problem search, List<Assignment> pinned, Map<String, Vessel> original) {
        /** The search's plan for the real problem: pins added back, objective from the real arrivals. */
        Plan complete(Plan plan) {
            if (pinned.isEmpty() && search.vessels().size() == original.size() && !clamped()) {
                return plan;
            }
            List<Assignment> assignments = new ArrayList<>(plan.assignments());
            assignments.addAll(pinned);
            assignments.sort(Comparator.comparingLong(Assignment::start).thenComparing(Assignment::berth));
            double objective = 0;
            for (Assignment a : assignments) {
                Vessel v = original.get(a.vessel());
                objective += v.weight() * (a.end() - v.arrival());
            }
            List<Unassigned> unassigned = plan.unassigned();
            return new Plan(assignments, unassigned, objective);
        }

        private boolean clamped() {
            for (Vessel v : search.vessels()) {
                if (v.arrival() != original.get(v.id()).arrival()) {
                    return true;
                }
            }
            return false;
        }
    }

    private Pinning() {
    }

    /** Whether the problem has anything to prepare; most requests do not. */
    static boolean plain(Problem problem) {
        if (problem.notBefore() != Long.MIN_VALUE) {
            return false;
        }
        for (Vessel v : problem.vessels()) {
            if (v.pinned() != null || v.fixedBerth() != null) {
                return false;
            }
        }
        return true;
    }

    static Prepared prepare(Problem problem) {
        Map<String, Vessel> original = new LinkedHashMap<>();
        problem.vessels().forEach(v -> original.putIfAbsent(v.id(), v));
        if (plain(problem)) {
            return new Prepared(problem, List.of(), original);
        }
        List<PinConflict> conflicts = conflicts(problem);
        if (!conflicts.isEmpty()) {
            throw new IllegalArgumentException("pins conflict: " + conflicts);
        }
        Map<String, List<Interval>> occupied = new HashMap<>();
        List<Assignment> pinned = new ArrayList<>();
        List<Vessel> free = new ArrayList<>();
        for (Vessel v : problem.vessels()) {
            if (v.pinned() != null) {
                Assignment stay = stay(problem, v);
                pinned.add(stay);
                occupied.computeIfAbsent(stay.berth(), k -> new ArrayList<>()).add(new Interval(stay.start(), stay.end()));
                continue;
            }
            Vessel w = v;
            if (v.fixedBerth() != null) {
                w = onlyAt(w, v.fixedBerth());
            }
            if (problem.notBefore() != Long.MIN_VALUE && w.arrival() < problem.notBefore()) {
                w = w.withArrival(problem.notBefore());
            }
            free.add(new Vessel(w.id(), w.arrival(), w.lengthM(), w.draftM(), w.weight(), w.handling(), w.handlingByBerth(),
                    w.latestDeparture()));
        }
        List<Berth> berths = new ArrayList<>();
        for (Berth b : problem.berths()) {
            List<Interval> stays = occupied.get(b.id());
            if (stays == null) {
                berths.add(b);
            } else {
                List<Interval> closures = new ArrayList<>(b.closures());
                closures.addAll(stays);
                berths.add(new Berth(b.id(), b.lengthM(), b.depthM(), b.opensAt(), b.closesAt(), closures));
            }
        }
        return new Prepared(new Problem(berths, free, problem.tide(), Long.MIN_VALUE, problem.stability()), pinned, original);
    }

    /** The vessel allowed at {@code berth} alone, with its handling there ({@link #conflicts} has checked it may). */
    private static Vessel onlyAt(Vessel v, String berth) {
        return new Vessel(v.id(), v.arrival(), v.lengthM(), v.draftM(), v.weight(), null, Map.of(berth, v.handlingAt(berth)),
                v.latestDeparture());
    }

    /** The pinned vessel's stay: from its pin to the end the timing rule gives; the pin must be feasible. */
    private static Assignment stay(Problem problem, Vessel v) {
        Pin pin = v.pinned();
        Berth berth = problem.berths().stream().filter(b -> b.id().equals(pin.berth())).findFirst().orElseThrow();
        long end = endAt(problem.tide(), v, berth, pin.start());
        if (end == CompiledProblem.NONE) {
            throw new IllegalArgumentException("pin of " + v.id() + " is infeasible");
        }
        return new Assignment(v.id(), berth.id(), pin.start(), end);
    }

    /** The end of v's stay at {@code berth} starting exactly at {@code start}, or NONE when that start is infeasible. */
    private static long endAt(Tide tide, Vessel v, Berth berth, long start) {
        Vessel alone = new Vessel(v.id(), Math.min(v.arrival(), start), v.lengthM(), v.draftM(), v.weight(), v.handling(),
                v.handlingByBerth(), v.latestDeparture());
        CompiledProblem p = new CompiledProblem(new Problem(List.of(berth), List.of(alone), tide));
        if (p.handling[0][0] < 0) {
            return CompiledProblem.NONE;
        }
        long s = p.earliestStart(0, 0, start);
        return s == start ? p.lastEnd : CompiledProblem.NONE;
    }

    /** Every pin that cannot hold, and every fixed berth that names no berth; empty when all is well. */
    static List<PinConflict> conflicts(Problem problem) {
        Map<String, Berth> berths = new HashMap<>();
        problem.berths().forEach(b -> berths.putIfAbsent(b.id(), b));
        List<PinConflict> out = new ArrayList<>();
        Map<String, List<Assignment>> stays = new HashMap<>();
        for (Vessel v : problem.vessels()) {
            if (v.fixedBerth() != null) {
                Berth fixed = berths.get(v.fixedBerth());
                String unusable = fixed == null ? "its fixed berth " + v.fixedBerth() + " does not exist" : unfit(v, fixed);
                if (unusable != null) {
                    out.add(new PinConflict(v.id(), v.fixedBerth(), unusable));
                    continue;
                }
            }
            Pin pin = v.pinned();
            if (pin == null) {
                continue;
            }
            Berth b = berths.get(pin.berth());
            if (b == null) {
                out.add(new PinConflict(v.id(), pin.berth(), "pinned at berth " + pin.berth() + ", which does not exist"));
                continue;
            }
            String problemWithPin = why(problem.tide(), v, b, pin.start());
            if (problemWithPin != null) {
                out.add(new PinConflict(v.id(), b.id(), problemWithPin));
                continue;
            }
            stays.computeIfAbsent(b.id(), k -> new ArrayList<>())
                    .add(new Assignment(v.id(), b.id(), pin.start(), endAt(problem.tide(), v, b, pin.start())));
        }
        for (List<Assignment> list : stays.values()) {
            list.sort(Comparator.comparingLong(Assignment::start));
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size() && list.get(j).start() < list.get(i).end(); j++) {
                    Assignment a = list.get(i);
                    Assignment c = list.get(j);
                    out.add(new PinConflict(c.vessel(), a.vessel(), "both are pinned at berth " + a.berth()
                            + " at overlapping times ([" + a.start() + ", " + a.end() + ") and [" + c.start() + ", " + c.end() + "))"));
                }
            }
        }
        return out;
    }

    /** Why v may not use berth b at all, or null when it may. */
    private static String unfit(Vessel v, Berth b) {
        if (v.handlingAt(b.id()) < 0) {
            return "not allowed at berth " + b.id() + " (handlingMinutesByBerth does not list it)";
        }
        if (v.lengthM() != null && b.lengthM() != null && v.lengthM() > b.lengthM()) {
            return "length " + v.lengthM() + " m exceeds berth " + b.id() + " (" + b.lengthM() + " m)";
        }
        if (v.draftM() != null && b.depthM() != null && v.draftM() > b.depthM()) {
            return "draft " + v.draftM() + " m exceeds the depth of berth " + b.id() + " (" + b.depthM() + " m)";
        }
        return null;
    }

    /** Why v cannot be served at b from exactly {@code start}, or null when it can. */
    private static String why(Tide tide, Vessel v, Berth b, long start) {
        if (v.fixedBerth() != null && !v.fixedBerth().equals(b.id())) {
            return "pinned at berth " + b.id() + " but fixed to berth " + v.fixedBerth();
        }
        String unfit = unfit(v, b);
        if (unfit != null) {
            return unfit;
        }
        long h = v.handlingAt(b.id());
        if (endAt(tide, v, b, start) != CompiledProblem.NONE) {
            return null;
        }
        boolean tidal = tide != null && tide.restricts(v);
        if (tidal && tide.windows().stream().noneMatch(w -> w.from() <= start && start <= w.to())) {
            return "starts outside every tidal window";
        }
        long end = start + h;
        if (start < b.opensAt() || end > b.closesAt()) {
            return "outside the opening hours of berth " + b.id();
        }
        for (Interval c : b.closures()) {
            if (c.overlaps(start, end)) {
                return "overlaps closure [" + c.from() + ", " + c.to() + ") of berth " + b.id();
            }
        }
        if (end > v.latestDeparture()) {
            return "would end after its latest departure";
        }
        return tidal ? "cannot sail inside a tidal window before a closure, closing time or latest departure"
                : "cannot be served from that start";
    }
}
