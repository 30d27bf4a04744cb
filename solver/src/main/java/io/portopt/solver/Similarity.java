package io.portopt.solver;

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
 * When two problems are "similar" enough that a plan of one, re-timed and repaired, serves the
 * other: the key of the approximate-answer rung. Expects berths and vessels sorted by id; ids are
 * length-prefixed so that no id can forge a separator.
 */
public final class Similarity {
    private Similarity() {
    }

    /**
     * Similarity key for approximate answers: the same berths and vessels (ids kept, physical data
     * exact) with every time and duration quantised to {@code quantum} (in the problem's seconds).
     * Two problems with the same key differ only by less than a quantum per time.
     */
    public static String key(Problem problem, long quantum) {
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

    /** Hex SHA-256 of the text's UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
