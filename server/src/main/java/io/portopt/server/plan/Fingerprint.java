package io.portopt.server.plan;

import io.portopt.solver.BerthPlanner;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
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
            s.append('\n');
        }
        if (problem.tide() != null) {
            s.append("T|").append(problem.tide().draftThresholdM());
            for (Interval w : problem.tide().windows()) {
                s.append('|').append(w.from()).append('-').append(w.to());
            }
        }
        return sha256(s.toString());
    }

    /**
     * Similarity key for approximate answers: the same berths and vessels (ids kept, physical data
     * exact) with every time and duration quantised to {@code quantum} (in the problem's seconds).
     * Two problems with the same key differ only by less than a quantum per time.
     */
    static String similar(Problem problem, long quantum) {
        StringBuilder s = new StringBuilder(256 + problem.vessels().size() * 48);
        s.append(BerthPlanner.VERSION).append("|q").append(quantum).append('\n');
        for (Berth b : problem.berths()) {
            s.append("B|").append(b.id().length()).append(':').append(b.id()).append('|').append(b.lengthM())
                    .append('|').append(b.depthM()).append('|').append(q(b.opensAt(), quantum))
                    .append('|').append(q(b.closesAt(), quantum));
            for (Interval c : b.closures()) {
                s.append('|').append(q(c.from(), quantum)).append('-').append(q(c.to(), quantum));
            }
            s.append('\n');
        }
        for (Vessel v : problem.vessels()) {
            s.append("V|").append(v.id().length()).append(':').append(v.id()).append('|').append(q(v.arrival(), quantum))
                    .append('|').append(v.lengthM()).append('|').append(v.draftM()).append('|').append(v.weight())
                    .append('|').append(v.handling() == null ? "-" : q(v.handling(), quantum))
                    .append('|').append(q(v.latestDeparture(), quantum));
            for (Map.Entry<String, Long> e : new TreeMap<>(v.handlingByBerth()).entrySet()) {
                s.append('|').append(e.getKey().length()).append(':').append(e.getKey()).append('=').append(q(e.getValue(), quantum));
            }
            s.append('\n');
        }
        if (problem.tide() != null) {
            s.append("T|").append(problem.tide().draftThresholdM());
            for (Interval w : problem.tide().windows()) {
                s.append('|').append(q(w.from(), quantum)).append('-').append(q(w.to(), quantum));
            }
        }
        return sha256(s.toString());
    }

    private static long q(long t, long quantum) {
        return t == Long.MIN_VALUE || t == Long.MAX_VALUE ? t : Math.floorDiv(t, quantum);
    }

    private static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
