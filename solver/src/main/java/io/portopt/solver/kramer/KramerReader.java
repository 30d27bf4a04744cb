package io.portopt.solver.kramer;

import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Vessel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the dynamic berth allocation instances of Kramer et al. (2019): N, M, arrivals, berth
 * openings, an N x M handling matrix (99999 = not allowed), berth closings, latest departures and
 * optional weights. Times stay in the file's own unit; vessels are V1..VN and berths B1..BM.
 */
public final class KramerReader {
    public static final long NOT_ALLOWED = 99999;

    private KramerReader() {
    }

    public static Problem read(Path file) throws IOException {
        return parse(Files.readString(file), file.getFileName().toString());
    }

    public static Problem parse(String text, String name) {
        String[] tokens = text.trim().split("\\s+");
        Cursor in = new Cursor(tokens, name);
        int n = in.nextInt();
        int m = in.nextInt();
        if (n < 0 || m < 0) {
            throw new IllegalArgumentException(name + ": negative vessel or berth count");
        }
        long[] arrival = in.next(n);
        long[] opens = in.next(m);
        long[][] handling = new long[n][];
        for (int v = 0; v < n; v++) {
            handling[v] = in.next(m);
        }
        long[] closes = in.next(m);
        long[] due = in.next(n);
        // Weights are optional, but a partial weights line is a truncated file, not an unweighted one.
        long[] weight = in.remaining() > 0 ? in.next(n) : null;
        List<Berth> berths = new ArrayList<>();
        for (int b = 0; b < m; b++) {
            berths.add(new Berth("B" + (b + 1), null, null, opens[b], closes[b], List.of()));
        }
        List<Vessel> vessels = new ArrayList<>();
        for (int v = 0; v < n; v++) {
            Map<String, Long> byBerth = new HashMap<>();
            for (int b = 0; b < m; b++) {
                if (handling[v][b] < NOT_ALLOWED) {
                    byBerth.put("B" + (b + 1), handling[v][b]);
                }
            }
            double w = weight == null ? Vessel.DEFAULT_WEIGHT : weight[v];
            vessels.add(new Vessel("V" + (v + 1), arrival[v], null, null, w, null, byBerth, due[v]));
        }
        return new Problem(berths, vessels, null);
    }

    private static final class Cursor {
        private final String[] tokens;
        private final String name;
        private int at;

        Cursor(String[] tokens, String name) {
            this.tokens = tokens;
            this.name = name;
        }

        int remaining() {
            return tokens.length - at;
        }

        int nextInt() {
            return Math.toIntExact(next(1)[0]);
        }

        long[] next(int count) {
            if (remaining() < count) {
                throw new IllegalArgumentException(name + ": file ends early (wanted " + count + " more numbers at token " + at + ")");
            }
            long[] out = new long[count];
            for (int i = 0; i < count; i++) {
                try {
                    out[i] = Long.parseLong(tokens[at++]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(name + ": not an integer at token " + (at - 1) + ": " + tokens[at - 1]);
                }
            }
            return out;
        }
    }
}
