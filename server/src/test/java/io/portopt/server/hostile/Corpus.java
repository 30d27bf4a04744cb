package io.portopt.server.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Reads the hostile corpus files under {@code src/test/resources/hostile/} (format: README.md there). */
final class Corpus {
    /** POST /v1/plans and POST /v1/plans:validate. */
    static final String PLANS = "plans";
    /** POST /v1/plans only (for cases too slow to send twice). */
    static final String CREATE = "create";
    static final String PORT = "port";

    private Corpus() {
    }

    /** One raw body of {@code bodies.corpus}. */
    record BodyCase(String name, int line, Set<String> targets, Set<Integer> expect, Set<Integer> expectPort,
                    String contentType, List<String[]> headers, boolean chunked, String field, Integer maxResponse,
                    Integer maxMillis, String known, String source) {
        /** The body bytes, expanded on use (some are megabytes; the corpus is not held in memory at once). */
        byte[] body() {
            return expand(source, line);
        }

        @Override
        public String toString() {
            return "'" + name + "' (bodies.corpus:" + line + ")";
        }
    }

    /** One line of {@code paths.corpus}. */
    record PathCase(int line, String method, String target, Set<Integer> expect, boolean noAuth, String known) {
        @Override
        public String toString() {
            return method + " " + RawHttp.abbreviate(target) + " (paths.corpus:" + line + ")";
        }
    }

    static String text(String resource) {
        try (InputStream in = Corpus.class.getResourceAsStream("/hostile/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource hostile/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<BodyCase> bodies() {
        List<String> lines = text("bodies.corpus").lines().toList();
        List<BodyCase> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            String line = lines.get(i);
            if (!line.startsWith("=== ")) {
                i++;
                continue;
            }
            String name = line.substring(4).trim();
            int start = i + 1;
            Set<String> targets = Set.of(PLANS);
            Set<Integer> expect = null;
            Set<Integer> expectPort = null;
            String contentType = "application/json";
            List<String[]> headers = new ArrayList<>();
            boolean chunked = false;
            boolean crlf = false;
            String field = null;
            Integer maxResponse = null;
            Integer maxMillis = null;
            String known = null;
            i++;
            for (; i < lines.size() && !lines.get(i).equals("---"); i++) {
                String d = lines.get(i);
                if (d.isBlank() || d.startsWith("#")) {
                    continue;
                }
                String key = d.contains(":") ? d.substring(0, d.indexOf(':')).trim() : d.trim();
                String value = d.contains(":") ? d.substring(d.indexOf(':') + 1).trim() : "";
                switch (key) {
                    case "@to" -> targets = switch (value) {
                        case "all" -> Set.of(PLANS, PORT);
                        case "plans" -> Set.of(PLANS);
                        case "create" -> Set.of(CREATE);
                        case "port" -> Set.of(PORT);
                        default -> throw bad(start, "unknown @to '" + value + "'");
                    };
                    case "@expect" -> expect = statuses(value, start);
                    case "@expect-port" -> expectPort = statuses(value, start);
                    case "@content-type" -> contentType = value.equals("none") ? null : value;
                    case "@header" -> headers.add(new String[]{value.substring(0, value.indexOf(':')).trim(),
                            value.substring(value.indexOf(':') + 1).trim()});
                    case "@chunked" -> chunked = true;
                    case "@crlf" -> crlf = true;
                    case "@field" -> field = value;
                    case "@max-response" -> maxResponse = Integer.parseInt(value);
                    case "@max-millis" -> maxMillis = Integer.parseInt(value);
                    case "@known" -> known = value;
                    default -> throw bad(start, "unknown directive '" + d + "'");
                }
            }
            if (i >= lines.size()) {
                throw bad(start, "no '---' line before the end of the file");
            }
            i++;
            StringBuilder body = new StringBuilder();
            for (; i < lines.size() && !lines.get(i).startsWith("=== ") && !lines.get(i).startsWith("# ---"); i++) {
                body.append(lines.get(i)).append('\n');
            }
            String text = body.toString().replaceAll("\n+$", "");
            if (crlf) {
                text = text.replace("\n", "\r\n") + "\r\n";
            }
            if (!targets.contains(PORT) && expect == null || targets.contains(PORT) && expect == null && expectPort == null) {
                throw bad(start, "case '" + name + "' has no @expect");
            }
            out.add(new BodyCase(name, start, targets, expect, expectPort == null ? expect : expectPort, contentType,
                    List.copyOf(headers), chunked, field, maxResponse, maxMillis, known, text));
            expand(text, start); // fail early on a bad macro
        }
        return out;
    }

    static List<PathCase> paths() {
        List<String> lines = text("paths.corpus").lines().toList();
        List<PathCase> out = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String known = null;
            int k = line.indexOf("@known:");
            if (k >= 0) {
                known = line.substring(k + 7).trim();
                line = line.substring(0, k).trim();
            }
            boolean noAuth = line.contains(" @noauth");
            line = line.replace(" @noauth", "").strip();
            // METHOD first, STATUS last, the target between (a macro in it may contain spaces).
            int first = line.indexOf(' ');
            int last = line.lastIndexOf(' ');
            if (first < 0 || last <= first) {
                throw bad(n + 1, "expected METHOD TARGET STATUS, got '" + line + "'");
            }
            String target = line.substring(first + 1, last).strip();
            // Bytes as ISO-8859-1 characters: RawHttp writes each back as the same byte.
            out.add(new PathCase(n + 1, line.substring(0, first),
                    new String(expand(target, n + 1), StandardCharsets.ISO_8859_1),
                    statuses(line.substring(last + 1), n + 1), noAuth, known));
        }
        return out;
    }

    static Set<Integer> statuses(String value, int line) {
        Set<Integer> out = new LinkedHashSet<>();
        for (String s : value.split("\\|")) {
            try {
                out.add(Integer.parseInt(s.trim()));
            } catch (NumberFormatException e) {
                throw bad(line, "bad status '" + value + "'");
            }
        }
        return out;
    }

    /** Expands the macros of README.md; text outside macros is UTF-8. */
    static byte[] expand(String text, int line) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int at = 0;
        while (true) {
            int open = text.indexOf("<<", at);
            if (open < 0) {
                out.writeBytes(text.substring(at).getBytes(StandardCharsets.UTF_8));
                return out.toByteArray();
            }
            int close = text.indexOf(">>", open + 2);
            if (close < 0) {
                throw bad(line, "unclosed macro at '" + RawHttp.abbreviate(text.substring(open)) + "'");
            }
            out.writeBytes(text.substring(at, open).getBytes(StandardCharsets.UTF_8));
            String macro = text.substring(open + 2, close);
            int space = macro.indexOf(' ');
            String name = space < 0 ? macro : macro.substring(0, space);
            String rest = space < 0 ? "" : macro.substring(space + 1);
            switch (name) {
                case "repeat", "list" -> {
                    int sp = rest.indexOf(' ');
                    if (sp < 0) {
                        throw bad(line, "<<" + name + " N TEXT>> needs a count and a text");
                    }
                    int count = Integer.parseInt(rest.substring(0, sp));
                    String unit = rest.substring(sp + 1);
                    if (name.equals("repeat")) {
                        out.writeBytes(repeat(unit.getBytes(StandardCharsets.UTF_8), count));
                    } else {
                        for (int k = 0; k < count; k++) {
                            if (k > 0) {
                                out.write(',');
                            }
                            out.writeBytes(unit.replace("{i}", Integer.toString(k)).getBytes(StandardCharsets.UTF_8));
                        }
                    }
                }
                case "bytes" -> {
                    for (String hex : rest.trim().split("\\s+")) {
                        out.write(Integer.parseInt(hex, 16));
                    }
                }
                case "utf16be" -> out.writeBytes(rest.getBytes(StandardCharsets.UTF_16BE));
                case "utf16le" -> out.writeBytes(rest.getBytes(StandardCharsets.UTF_16LE));
                default -> throw bad(line, "unknown macro <<" + name + ">>");
            }
            at = close + 2;
        }
    }

    /** count copies of unit, by doubling (a 10 MB repeat stays cheap). */
    private static byte[] repeat(byte[] unit, int count) {
        byte[] out = new byte[Math.multiplyExact(unit.length, count)];
        if (out.length == 0) {
            return out;
        }
        System.arraycopy(unit, 0, out, 0, unit.length);
        for (int filled = unit.length; filled < out.length; filled *= 2) {
            System.arraycopy(out, 0, out, filled, Math.min(filled, out.length - filled));
        }
        return out;
    }

    private static IllegalStateException bad(int line, String message) {
        return new IllegalStateException("hostile corpus, line " + line + ": " + message);
    }
}
