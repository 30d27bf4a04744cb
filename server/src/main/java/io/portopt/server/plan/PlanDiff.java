package io.portopt.server.plan;

import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The per-vessel changes of a replan against the plan it is based on. */
final class PlanDiff {
    private static final long SECONDS_PER_MINUTE = 60;

    private PlanDiff() {
    }

    /**
     * Every vessel whose berth or start changed, that lost or gained a place, or that is gone
     * (cancelled); in vessel order, so the list reads the same on every server.
     */
    static List<PlanViews.ChangeView> between(List<Assignment> base, Plan plan, Set<String> vessels) {
        Map<String, Assignment> before = new HashMap<>();
        base.forEach(a -> before.put(a.vessel(), a));
        Map<String, Assignment> after = new HashMap<>();
        plan.assignments().forEach(a -> after.put(a.vessel(), a));
        Set<String> all = new TreeSet<>(before.keySet());
        all.addAll(after.keySet());
        List<PlanViews.ChangeView> out = new ArrayList<>();
        for (String vessel : all) {
            Assignment was = before.get(vessel);
            Assignment now = after.get(vessel);
            if (was != null && now == null) {
                out.add(new PlanViews.ChangeView(vessel, vessels.contains(vessel) ? "unassigned" : "cancelled",
                        was.berth(), null, null));
            } else if (was == null) {
                out.add(new PlanViews.ChangeView(vessel, "assigned", null, now.berth(), null));
            } else {
                long shift = (now.start() - was.start()) / SECONDS_PER_MINUTE;
                if (!was.berth().equals(now.berth())) {
                    out.add(new PlanViews.ChangeView(vessel, "movedBerth", was.berth(), now.berth(), shift));
                } else if (now.start() != was.start()) {
                    out.add(new PlanViews.ChangeView(vessel, "shifted", was.berth(), now.berth(), shift));
                }
            }
        }
        return out;
    }
}
