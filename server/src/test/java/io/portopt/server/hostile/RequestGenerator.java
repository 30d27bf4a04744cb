package io.portopt.server.hostile;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Plan requests and port bodies built from the request model: valid ones, then damaged by a few
 * mutations (a field removed, a value swapped for one of the wrong type or out of range or a
 * random string, an id duplicated, an interval reversed, an unknown field, a duplicated key, a
 * truncation). Deterministic for a seed, so a failing try can be replayed from its printout.
 */
final class RequestGenerator {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Raw JSON text, written as is (numbers JSON cannot hold as doubles, NaN, nesting). */
    record Raw(String json) {
    }

    /**
     * A generated body: the JSON, the mutations applied, and whether one of them guarantees a 400
     * (a syntax error or an unknown top-level field, applied last so nothing undoes it).
     */
    record Generated(String json, List<String> mutations, boolean surely400) {
        boolean valid() {
            return mutations.isEmpty();
        }

        @Override
        public String toString() {
            return (mutations.isEmpty() ? "valid" : String.join("; ", mutations)) + "\n    " + RawHttp.abbreviate(json, 2000);
        }
    }

    private final SplittableRandom random;
    private final List<String> applied = new ArrayList<>();

    private RequestGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    static Generated plan(int berths, int vessels, int mutations, long seed) {
        RequestGenerator g = new RequestGenerator(seed);
        Map<String, Object> request = g.validPlan(berths, vessels);
        return g.damage(request, mutations);
    }

    static Generated port(int berths, int mutations, long seed) {
        RequestGenerator g = new RequestGenerator(seed);
        Map<String, Object> body = new LinkedHashMap<>();
        if (g.random.nextBoolean()) {
            body.put("name", "Fuzz port " + g.random.nextInt(1000));
        }
        body.put("berths", g.berths(berths));
        if (g.random.nextBoolean()) {
            body.put("tide", g.tide());
        }
        return g.damage(body, mutations);
    }

    // ------------------------------------------------------------------ valid requests

    private Map<String, Object> validPlan(int berthCount, int vesselCount) {
        Map<String, Object> request = new LinkedHashMap<>();
        List<Object> berths = berths(berthCount);
        request.put("berths", berths);
        List<String> berthIds = berths.stream().map(b -> (String) ((Map<?, ?>) b).get("id")).toList();
        List<Object> vessels = new ArrayList<>();
        for (int i = 0; i < vesselCount; i++) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", id("V", i));
            Instant arrival = T0.plusSeconds(60L * random.nextInt(5 * 24 * 60));
            v.put("arrival", arrival.toString());
            maybe(() -> v.put("lengthM", round(50 + random.nextDouble() * 350)));
            maybe(() -> v.put("draftM", round(5 + random.nextDouble() * 13)));
            maybe(() -> v.put("weight", round(0.1 + random.nextDouble() * 10)));
            if (random.nextInt(3) == 0) {
                Map<String, Object> byBerth = new LinkedHashMap<>();
                for (String b : berthIds) {
                    if (byBerth.isEmpty() || random.nextBoolean()) {
                        byBerth.put(b, (long) (30 + random.nextInt(2000)));
                    }
                }
                v.put("handlingMinutesByBerth", byBerth);
            } else {
                v.put("handlingMinutes", (long) (30 + random.nextInt(2000)));
            }
            maybe(() -> v.put("latestDeparture", arrival.plusSeconds(3600L * (24 + random.nextInt(20 * 24))).toString()));
            vessels.add(v);
        }
        request.put("vessels", vessels);
        if (random.nextBoolean()) {
            request.put("tide", tide());
        }
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("timeLimitMs", (long) (1 + random.nextInt(50)));
        maybe(() -> options.put("allowApproximate", random.nextBoolean()));
        maybe(() -> options.put("seed", random.nextLong()));
        request.put("options", options);
        return request;
    }

    private List<Object> berths(int count) {
        List<Object> berths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", id("B", i));
            maybe(() -> b.put("lengthM", round(150 + random.nextDouble() * 300)));
            maybe(() -> b.put("depthM", round(8 + random.nextDouble() * 12)));
            if (random.nextInt(3) == 0) {
                Instant opens = T0.minusSeconds(3600L * random.nextInt(24 * 7));
                b.put("opensAt", opens.toString());
                b.put("closesAt", opens.plusSeconds(86400L * (10 + random.nextInt(30))).toString());
            }
            if (random.nextBoolean()) {
                List<Object> closures = new ArrayList<>();
                for (int c = random.nextInt(3); c > 0; c--) {
                    closures.add(window(T0.plusSeconds(3600L * random.nextInt(24 * 10)), 1 + random.nextInt(12)));
                }
                b.put("closures", closures);
            }
            berths.add(b);
        }
        return berths;
    }

    private Map<String, Object> tide() {
        Map<String, Object> tide = new LinkedHashMap<>();
        tide.put("draftThresholdM", round(10 + random.nextDouble() * 6));
        List<Object> windows = new ArrayList<>();
        for (int k = 0, n = random.nextInt(7); k < n; k++) {
            windows.add(window(T0.plusSeconds(12L * 3600 * k + 60L * random.nextInt(300)), 2 + random.nextInt(4)));
        }
        tide.put("windows", windows);
        return tide;
    }

    private static Map<String, Object> window(Instant from, int hours) {
        Map<String, Object> w = new LinkedHashMap<>();
        w.put("from", from.toString());
        w.put("to", from.plusSeconds(3600L * hours).toString());
        return w;
    }

    /** Mostly plain ids; sometimes letters from other scripts, which are valid too. */
    private String id(String prefix, int i) {
        return switch (random.nextInt(6)) {
            case 0 -> prefix + "-é" + i;
            case 1 -> "泊" + prefix + i;
            default -> prefix + i;
        };
    }

    private void maybe(Runnable r) {
        if (random.nextBoolean()) {
            r.run();
        }
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }

    // ------------------------------------------------------------------ damage

    private Generated damage(Map<String, Object> request, int count) {
        boolean textLevel = false;
        for (int i = 0; i < count; i++) {
            int kind = random.nextInt(10);
            if (kind <= 2) {
                removeField(request);
            } else if (kind <= 5) {
                replaceValue(request);
            } else if (kind == 6) {
                duplicateId(request);
            } else if (kind == 7) {
                reverseInterval(request);
            } else {
                textLevel = true;
            }
        }
        boolean surely400 = false;
        String json = Json.write(request);
        if (textLevel) {
            surely400 = true;
            switch (random.nextInt(4)) {
                case 0 -> {
                    String key = random.nextBoolean() ? "colour" : "Berths";
                    json = "{\"" + key + "\":1," + json.substring(1);
                    applied.add("unknown top-level field '" + key + "'");
                }
                case 1 -> {
                    String first = request.keySet().stream().findFirst().orElse("berths");
                    json = "{\"" + first + "\":null," + json.substring(1);
                    applied.add("duplicate top-level key '" + first + "'");
                }
                case 2 -> {
                    int cut = 1 + random.nextInt(json.length() - 1);
                    applied.add("truncated at " + cut + " of " + json.length());
                    json = json.substring(0, cut);
                }
                default -> {
                    String[] garbage = {"}", "]", ",", "x", "\"", "{}", "NaN", "\u0000", "//"};
                    String g = garbage[random.nextInt(garbage.length)];
                    json = json + g;
                    applied.add("trailing garbage " + Json.quote(g));
                }
            }
        }
        return new Generated(json, List.copyOf(applied), surely400);
    }

    /** Every (container, key or index) in the tree, for picking a random place. */
    private record Slot(Object container, Object key, String path) {
    }

    private List<Slot> slots(Object node, String path, List<Slot> out) {
        if (node instanceof Map<?, ?> map) {
            for (Object k : map.keySet()) {
                String p = path.isEmpty() ? (String) k : path + "." + k;
                out.add(new Slot(map, k, p));
                slots(map.get(k), p, out);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Slot(list, i, p));
                slots(list.get(i), p, out);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private void removeField(Map<String, Object> request) {
        List<Slot> slots = slots(request, "", new ArrayList<>());
        if (slots.isEmpty()) {
            applied.add("(nothing left to remove)");
            return;
        }
        Slot s = slots.get(random.nextInt(slots.size()));
        if (s.container() instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).remove((String) s.key());
        } else {
            ((List<Object>) s.container()).remove((int) (Integer) s.key());
        }
        applied.add("removed " + s.path());
    }

    @SuppressWarnings("unchecked")
    private void replaceValue(Map<String, Object> request) {
        List<Slot> slots = slots(request, "", new ArrayList<>());
        if (slots.isEmpty()) {
            applied.add("(nothing left to replace)");
            return;
        }
        Slot s = slots.get(random.nextInt(slots.size()));
        Object value = hostileValue();
        if (s.container() instanceof Map<?, ?> map) {
            ((Map<String, Object>) map).put((String) s.key(), value);
        } else {
            ((List<Object>) s.container()).set((Integer) s.key(), value);
        }
        applied.add(s.path() + " = " + RawHttp.abbreviate(Json.write(value)));
    }

    @SuppressWarnings("unchecked")
    private void duplicateId(Map<String, Object> request) {
        String list = random.nextBoolean() ? "berths" : "vessels";
        if (request.get(list) instanceof List<?> items && items.size() >= 2
                && items.get(0) instanceof Map<?, ?> a && items.get(1) instanceof Map<?, ?> b && a.containsKey("id")) {
            ((Map<String, Object>) b).put("id", a.get("id"));
            applied.add(list + "[1].id = " + list + "[0].id");
        } else {
            applied.add("(no id to duplicate in " + list + ")");
        }
    }

    @SuppressWarnings("unchecked")
    private void reverseInterval(Map<String, Object> request) {
        List<Slot> candidates = new ArrayList<>();
        for (Slot s : slots(request, "", new ArrayList<>())) {
            Object v = s.container() instanceof Map<?, ?> m ? m.get(s.key()) : ((List<?>) s.container()).get((Integer) s.key());
            if (v instanceof Map<?, ?> m && (m.containsKey("from") && m.containsKey("to")
                    || m.containsKey("opensAt") && m.containsKey("closesAt")
                    || m.containsKey("arrival") && m.containsKey("latestDeparture"))) {
                candidates.add(s);
            }
        }
        if (candidates.isEmpty()) {
            applied.add("(no interval to reverse)");
            return;
        }
        Slot s = candidates.get(random.nextInt(candidates.size()));
        Map<String, Object> m = (Map<String, Object>) (s.container() instanceof Map<?, ?> c ? c.get(s.key())
                : ((List<?>) s.container()).get((Integer) s.key()));
        String[][] pairs = {{"from", "to"}, {"opensAt", "closesAt"}, {"arrival", "latestDeparture"}};
        for (String[] p : pairs) {
            if (m.containsKey(p[0]) && m.containsKey(p[1])) {
                Object a = m.get(p[0]);
                m.put(p[0], m.get(p[1]));
                m.put(p[1], a);
                applied.add("reversed " + s.path() + "." + p[0] + "/" + p[1]);
                return;
            }
        }
    }

    private Object hostileValue() {
        return switch (random.nextInt(24)) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> 0L;
            case 3 -> -1L;
            case 4 -> 1.5;
            case 5 -> new Raw("1e400");
            case 6 -> new Raw("9".repeat(400));
            case 7 -> Long.MIN_VALUE;
            case 8 -> "";
            case 9 -> " ";
            case 10 -> randomString(1 + random.nextInt(20));
            case 11 -> "x".repeat(65 + random.nextInt(10_000));
            case 12 -> new ArrayList<>();
            case 13 -> new LinkedHashMap<>();
            case 14 -> new Raw("[null]");
            case 15 -> new Raw("[".repeat(50) + "]".repeat(50));
            case 16 -> "2026-02-30T00:00:00Z";
            case 17 -> T0.plusSeconds(random.nextInt(1_000_000)).toString();
            case 18 -> new Raw(random.nextBoolean() ? "NaN" : "-Infinity");
            case 19 -> "+999999-01-01T00:00:00Z";
            case 20 -> (long) random.nextInt(100_000);
            case 21 -> random.nextDouble() * 1e7 - 5e6;
            case 22 -> "'; DROP TABLE plan; --";
            default -> new LinkedHashMap<>(Map.of("from", "2026-01-02T00:00:00Z", "to", "2026-01-01T00:00:00Z"));
        };
    }

    /** Random code points: controls, surrogates (lone ones too), bidi overrides, astral, plain. */
    private String randomString(int length) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(8)) {
                case 0 -> s.append((char) random.nextInt(0x20));
                case 1 -> s.append((char) (0xD800 + random.nextInt(0x800)));
                case 2 -> s.append(new char[]{'\u202e', '\u2066', '\u200b', '\ufeff', '\u0085', '\u2028'}[random.nextInt(6)]);
                case 3 -> s.appendCodePoint(0x10000 + random.nextInt(0x100000 - 0x10000));
                case 4 -> s.append("\"\\/'`<>%{}$".charAt(random.nextInt(11)));
                default -> s.append((char) ('a' + random.nextInt(26)));
            }
        }
        return s.toString();
    }

    /** A minimal JSON writer that keeps lone surrogates and controls as \\u escapes, and writes {@link Raw} as is. */
    static final class Json {
        private Json() {
        }

        static String write(Object value) {
            StringBuilder out = new StringBuilder();
            write(value, out::append);
            return out.toString();
        }

        private static void write(Object value, Consumer<String> out) {
            switch (value) {
                case null -> out.accept("null");
                case Raw raw -> out.accept(raw.json());
                case String s -> out.accept(quote(s));
                case Double d -> out.accept(d.isNaN() || d.isInfinite() ? "null" : Double.toString(d));
                case Number n -> out.accept(n.toString());
                case Boolean b -> out.accept(b.toString());
                case Map<?, ?> map -> {
                    out.accept("{");
                    boolean first = true;
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        out.accept(first ? "" : ",");
                        first = false;
                        out.accept(quote(String.valueOf(e.getKey())));
                        out.accept(":");
                        write(e.getValue(), out);
                    }
                    out.accept("}");
                }
                case List<?> list -> {
                    out.accept("[");
                    for (int i = 0; i < list.size(); i++) {
                        out.accept(i == 0 ? "" : ",");
                        write(list.get(i), out);
                    }
                    out.accept("]");
                }
                default -> throw new IllegalArgumentException("not JSON: " + value.getClass());
            }
        }

        static String quote(String s) {
            StringBuilder out = new StringBuilder(s.length() + 2).append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20 || Character.isSurrogate(c) || c == 0x7f) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            return out.append('"').toString();
        }
    }
}
