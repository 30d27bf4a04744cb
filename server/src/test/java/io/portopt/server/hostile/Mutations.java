package io.portopt.server.hostile;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mutations.corpus}: a valid request, its fields with their kinds, and per kind the hostile
 * values with the status each must get. Produces one request per (field, value).
 */
final class Mutations {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PLACEHOLDER = "@@hostile-value@@";
    private static final String REMOVE = "<remove>";
    private static final Pattern STEP = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]");

    private Mutations() {
    }

    /** One mutated request. */
    record Mutation(String path, String value, Set<Integer> expect, String known, byte[] body) {
        @Override
        public String toString() {
            return path + " = " + RawHttp.abbreviate(value);
        }
    }

    private record FieldSpec(String path, String kind, boolean required, Set<Integer> ifRemoved) {
    }

    private record ValueSpec(String kind, String expect, String value, String known) {
    }

    static List<Mutation> all() {
        String text = Corpus.text("mutations.corpus");
        String base = section(text, "[base]");
        JSON.readTree(base); // the base must be valid JSON
        List<FieldSpec> fields = new ArrayList<>();
        for (String line : lines(section(text, "[paths]"))) {
            String[] p = line.split("\\s+");
            Set<Integer> ifRemoved = null;
            for (int i = 3; i < p.length; i++) {
                if (p[i].startsWith("remove=")) {
                    ifRemoved = Corpus.statuses(p[i].substring(7), 0);
                }
            }
            fields.add(new FieldSpec(p[0], p[1], p[2].equals("required"), ifRemoved));
        }
        List<ValueSpec> values = new ArrayList<>();
        for (String line : lines(section(text, "[values]"))) {
            String[] p = line.split("\\s+\\|\\s+");
            String known = p.length > 3 && p[3].trim().startsWith("known=") ? p[3].trim().substring(6) : null;
            values.add(new ValueSpec(p[0].trim(), p[1].trim(), p[2].trim(), known));
        }
        List<Mutation> out = new ArrayList<>();
        for (FieldSpec f : fields) {
            // "*" rows first, then the kind's own rows, which replace a "*" row with the same value.
            Map<String, ValueSpec> byValue = new LinkedHashMap<>();
            values.stream().filter(v -> v.kind().equals("*")).forEach(v -> byValue.put(v.value(), v));
            values.stream().filter(v -> v.kind().equals(f.kind())).forEach(v -> byValue.put(v.value(), v));
            for (ValueSpec v : byValue.values()) {
                Set<Integer> expect;
                if (v.value().equals(REMOVE) && f.ifRemoved() != null) {
                    expect = f.ifRemoved();
                } else if (v.expect().equals("REQ")) {
                    expect = Set.of(f.required() ? 422 : 200);
                } else {
                    expect = Corpus.statuses(v.expect(), 0);
                }
                out.add(new Mutation(f.path(), v.value(), expect, v.known(), mutate(base, f.path(), v.value())));
            }
        }
        return out;
    }

    /** The base with the value at path replaced by raw JSON text (or removed). */
    static byte[] mutate(String base, String path, String raw) {
        JsonNode root = JSON.readTree(base);
        List<Object> steps = new ArrayList<>();
        Matcher m = STEP.matcher(path);
        while (m.find()) {
            steps.add(m.group(1) != null ? m.group(1) : (Object) Integer.parseInt(m.group(2)));
        }
        JsonNode parent = root;
        for (int i = 0; i < steps.size() - 1; i++) {
            Object s = steps.get(i);
            parent = s instanceof Integer index ? parent.get(index) : parent.get((String) s);
            if (parent == null) {
                throw new IllegalStateException("mutations.corpus: no field " + path + " in the base");
            }
        }
        Object last = steps.getLast();
        boolean remove = raw.equals(REMOVE);
        if (last instanceof Integer index) {
            ArrayNode array = (ArrayNode) parent;
            if (remove) {
                array.remove(index);
            } else {
                array.set(index, PLACEHOLDER);
            }
        } else {
            ObjectNode object = (ObjectNode) parent;
            if (!object.has((String) last)) {
                throw new IllegalStateException("mutations.corpus: no field " + path + " in the base");
            }
            if (remove) {
                object.remove((String) last);
            } else {
                object.put((String) last, PLACEHOLDER);
            }
        }
        String json = JSON.writeValueAsString(root);
        return json.replace("\"" + PLACEHOLDER + "\"", raw).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String section(String text, String header) {
        int start = text.indexOf("\n" + header + "\n");
        if (start < 0) {
            throw new IllegalStateException("mutations.corpus: no " + header + " section");
        }
        start += header.length() + 2;
        int end = text.indexOf("\n[", start);
        return end < 0 ? text.substring(start) : text.substring(start, end);
    }

    private static List<String> lines(String section) {
        return section.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
