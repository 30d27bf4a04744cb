package io.portopt.server.plan;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.Similarity;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;

import java.util.Map;
import java.util.TreeMap;

/**
 * Canonical SHA-256 key of a normalised problem plus everything that can change its plan: the
 * solver version and the effective options. Expects berths and vessels already sorted by id. Ids
 * are length-prefixed so that no id can forge a separator.
 */
final class Fingerprint {
    private Fingerprint() {
    }

    static String of(String port, Problem problem, EffectiveOptions options) {
        StringBuilder s = new StringBuilder(256 + problem.vessels().size() * 64);
        // The port code is part of the answer (the plan names it), so it is part of the key.
        s.append(BerthPlanner.VERSION).append('|').append(options.timeLimit().toMillis())
                .append('|').append(options.seed()).append("|port:").append(port).append('\n');
        for (Berth b : problem.berths()) {
            s.append("B|").append(b.id().length()).append(':').append(b.id()).append('|').append(b.lengthM()).append('|').append(b.depthM())
                    .append('|').append(b.opensAt()).append('|').append(b.closesAt());
            for (Interval c : b.closures()) {
                s.append('|').append(c.from()).append('-').append(c.to());
            }
            s.append('\n');
        }
        for (Vessel v : problem.vessels()) {
            s.append("V|").append(v.id().length()).append(':').append(v.id()).append('|').append(v.arrival()).append('|').append(v.lengthM())
                    .append('|').append(v.draftM()).append('|').append(v.weight()).append('|').append(v.handling())
                    .append('|').append(v.latestDeparture());
            for (Map.Entry<String, Long> e : new TreeMap<>(v.handlingByBerth()).entrySet()) {
                s.append('|').append(e.getKey().length()).append(':').append(e.getKey()).append('=').append(e.getValue());
            }
            if (v.fixedBerth() != null) {
                s.append("|F").append(v.fixedBerth().length()).append(':').append(v.fixedBerth());
            }
            if (v.pinned() != null) {
                s.append("|P").append(v.pinned().berth().length()).append(':').append(v.pinned().berth())
                        .append('@').append(v.pinned().start());
            }
            s.append('\n');
        }
        if (problem.tide() != null) {
            s.append("T|").append(problem.tide().draftThresholdM());
            for (Interval w : problem.tide().windows()) {
                s.append('|').append(w.from()).append('-').append(w.to());
            }
        }
        if (problem.notBefore() != Long.MIN_VALUE) {
            s.append("\nN|").append(problem.notBefore());
        }
        if (problem.stability() != null) {
            // The base plan itself is named by the replan's key (ResolvedRequest.asReplanOf).
            s.append("\nS|").append(problem.stability().perBerthMove()).append('|').append(problem.stability().perTimeUnitShift());
        }
        return Similarity.sha256(s.toString());
    }
}
