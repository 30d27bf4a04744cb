package io.portopt.server.chart;

import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.VesselData;
import io.portopt.server.port.BerthData;
import io.portopt.server.port.TimeWindow;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A plan as a berth Gantt chart in SVG: one row per berth, time across in UTC (and a second row of
 * labels in the port's local time when a zone is given), each assignment a bar coloured by how long
 * the vessel waited. The console shows exactly this SVG, so a report and the screen never differ.
 *
 * <p>The SVG carries its own geometry ({@code data-t0} epoch ms at {@code data-left}, {@code data-ppm}
 * pixels per minute) and every bar its vessel, berth and times, so a reader (a script, a test, the
 * console's details panel) can check a bar against the plan without re-deriving the layout.
 */
public final class GanttChart {
    static final int LEFT = 130;
    static final int RIGHT = 24;
    static final int ROW = 28;
    static final int BAR = 18;
    static final double TARGET_WIDTH = 1400;
    static final double MIN_PPM = 0.02;
    static final double MAX_PPM = 2.0;
    /** Waiting classes (minutes, upper bounds) and their colours, shown in the legend. */
    static final long[] WAIT_LIMITS = {0, 60, 240, 720, Long.MAX_VALUE};
    static final String[] WAIT_COLOURS = {"#2e7d32", "#7cb342", "#f9a825", "#ef6c00", "#c62828"};
    static final String[] WAIT_LABELS = {"no wait", "< 1 h", "1-4 h", "4-12 h", "> 12 h"};
    private static final long[] TICKS_MIN = {60, 120, 180, 360, 720, 1440, 2880, 10080};
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE d MMM", Locale.ROOT);
    private static final DateTimeFormatter FULL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private GanttChart() {
    }

    record Placed(String vessel, String berth, Instant start, Instant end) {
    }

    /**
     * {@code plan} is a plan response; {@code request} the request it answers (berths, tide,
     * vessels); {@code compare} another plan response whose differences are marked, or null;
     * {@code zone} the port's local time zone, or null.
     */
    public static String render(JsonNode plan, PlanRequest request, JsonNode compare, ZoneId zone) {
        List<Placed> placed = placed(plan);
        Map<String, Placed> other = new HashMap<>();
        if (compare != null) {
            placed(compare).forEach(p -> other.put(p.vessel(), p));
        }
        Map<String, VesselData> vessels = new HashMap<>();
        if (request.vessels() != null) {
            request.vessels().forEach(v -> vessels.put(v.id(), v));
        }
        List<String> berths = new ArrayList<>();
        Map<String, BerthData> berthData = new LinkedHashMap<>();
        if (request.berths() != null) {
            for (BerthData b : request.berths()) {
                berths.add(b.id());
                berthData.put(b.id(), b);
            }
        }
        for (Placed p : placed) {
            if (!berthData.containsKey(p.berth()) && !berths.contains(p.berth())) {
                berths.add(p.berth());
            }
        }

        // The time range: every arrival, start and end, padded to whole hours.
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (Placed p : placed) {
            lo = Math.min(lo, p.start().getEpochSecond());
            hi = Math.max(hi, p.end().getEpochSecond());
        }
        for (Placed p : other.values()) {
            lo = Math.min(lo, p.start().getEpochSecond());
            hi = Math.max(hi, p.end().getEpochSecond());
        }
        for (VesselData v : vessels.values()) {
            if (v.arrival() != null) {
                lo = Math.min(lo, v.arrival().getEpochSecond());
                hi = Math.max(hi, v.arrival().getEpochSecond());
            }
        }
        if (lo == Long.MAX_VALUE) {
            lo = 0;
            hi = 86_400;
        }
        lo = Math.floorDiv(lo, 3600) * 3600;
        hi = Math.max(lo + 3600, Math.floorDiv(hi + 3599, 3600) * 3600);
        long spanMin = (hi - lo) / 60;
        double ppm = Math.max(MIN_PPM, Math.min(MAX_PPM, TARGET_WIDTH / spanMin));
        double innerWidth = spanMin * ppm;
        double width = LEFT + innerWidth + RIGHT;
        boolean local = zone != null && !zone.equals(ZoneOffset.UTC);
        int headerTop = 8;
        int tideTop = 58;
        int axisTop = tideTop + 18;
        int rowsTop = axisTop + (local ? 44 : 30);
        int rowsHeight = Math.max(1, berths.size()) * ROW;
        List<JsonNode> unassigned = new ArrayList<>();
        plan.path("unassigned").forEach(unassigned::add);
        int legendTop = rowsTop + rowsHeight + 16;
        int height = legendTop + 28 + (unassigned.isEmpty() ? 0 : 20 + 16 * unassigned.size()) + 8;

        Svg s = new Svg();
        final long t0 = lo;
        final double scale = ppm;
        java.util.function.LongFunction<Double> x = sec -> LEFT + (sec - t0) / 60.0 * scale;

        s.raw("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"chart-title chart-desc\"")
                .attr("width", fmt(width)).attr("height", height).attr("viewBox", "0 0 " + fmt(width) + " " + height)
                .attr("data-plan", text(plan, "id")).attr("data-t0", lo * 1000).attr("data-left", LEFT)
                .attr("data-ppm", Double.toString(ppm)).attr("data-row-height", ROW).attr("data-rows-top", rowsTop)
                .attr("font-family", "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif").attr("font-size", 11)
                .raw(">\n");
        s.raw("<style>.bar:focus{outline:none}.bar:focus .service,.bar:hover .service{stroke:#000;stroke-width:2}"
                + ".lbl{pointer-events:none}</style>\n");
        s.raw("<defs><pattern id=\"hatch-tide\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#bbdefb\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#1565c0\" stroke-width=\"2\"/></pattern>"
                + "<pattern id=\"hatch-closed\" width=\"8\" height=\"8\" patternUnits=\"userSpaceOnUse\""
                + " patternTransform=\"rotate(-45)\"><rect width=\"8\" height=\"8\" fill=\"#e0e0e0\"/>"
                + "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"8\" stroke=\"#9e9e9e\" stroke-width=\"2\"/></pattern></defs>\n");

        // Title: which plan, how it was answered, what it costs.
        JsonNode quality = plan.path("quality");
        String source = text(quality, "source");
        String basedOn = text(plan, "basedOn");
        double objective = plan.path("objective").path("weightedTurnaroundMinutes").asDouble(Double.NaN);
        StringBuilder title = new StringBuilder("Plan ").append(text(plan, "id"));
        StringBuilder desc = new StringBuilder();
        desc.append(placed.size()).append(" vessels on ").append(berths.size()).append(" berths, ")
                .append(unassigned.size()).append(" unassigned; objective ").append(fmtNumber(objective)).append(" min");
        if (quality.has("gap") && !quality.path("gap").isNull()) {
            desc.append(" (gap to bound ").append(String.format(Locale.ROOT, "%.2f", quality.path("gap").asDouble() * 100))
                    .append(" %)");
        }
        if (source != null) {
            desc.append("; answered by ").append(source);
            if (quality.path("degraded").asBoolean(false)) {
                desc.append(" (degraded: ").append(text(quality, "reason")).append(")");
            }
        }
        if (basedOn != null) {
            desc.append("; based on ").append(basedOn);
        }
        if (compare != null) {
            desc.append("; compared with ").append(text(compare, "id")).append(" (objective ")
                    .append(fmtNumber(compare.path("objective").path("weightedTurnaroundMinutes").asDouble(Double.NaN)))
                    .append(" min)");
        }
        s.raw("<text id=\"chart-title\" x=\"8\" y=\"").raw(headerTop + 14).raw("\" font-size=\"14\" font-weight=\"600\">")
                .text(title.toString()).raw("</text>\n");
        s.raw("<text id=\"chart-desc\" class=\"desc\" x=\"8\" y=\"").raw(headerTop + 32).raw("\">").text(desc.toString())
                .raw("</text>\n");

        // Tidal windows: a band above the axis.
        if (request.tide() != null && request.tide().windows() != null && !request.tide().windows().isEmpty()) {
            s.raw("<text x=\"8\" y=\"").raw(tideTop + 11).raw("\">tide").raw(request.tide().draftThresholdM() == null ? ""
                    : " (draft > " + fmtNumber(request.tide().draftThresholdM()) + " m)").raw("</text>\n");
            s.raw("<rect x=\"").raw(LEFT).raw("\" y=\"").raw(tideTop).raw("\" width=\"").raw(fmt(innerWidth))
                    .raw("\" height=\"12\" fill=\"#eceff1\"/>\n");
            for (TimeWindow w : request.tide().windows()) {
                double a = clamp(x.apply(w.from().getEpochSecond()), LEFT, LEFT + innerWidth);
                double b = clamp(x.apply(w.to().getEpochSecond()), LEFT, LEFT + innerWidth);
                if (b > a) {
                    s.raw("<rect class=\"tide-window\" x=\"").raw(fmt(a)).raw("\" y=\"").raw(tideTop).raw("\" width=\"")
                            .raw(fmt(Math.max(1, b - a))).raw("\" height=\"12\" fill=\"#42a5f5\"><title>tidal window ")
                            .text(FULL.format(w.from().atOffset(ZoneOffset.UTC)) + " - "
                                    + FULL.format(w.to().atOffset(ZoneOffset.UTC)) + " UTC").raw("</title></rect>\n");
                }
            }
        }

        // Time axis: ticks at a step that keeps labels about 70 px apart; days in bold.
        long step = TICKS_MIN[TICKS_MIN.length - 1];
        for (long t : TICKS_MIN) {
            if (t * ppm >= 70) {
                step = t;
                break;
            }
        }
        s.raw("<text x=\"8\" y=\"").raw(axisTop + 12).raw("\">UTC</text>\n");
        if (local) {
            s.raw("<text x=\"8\" y=\"").raw(axisTop + 26).raw("\">").text(zone.getId()).raw("</text>\n");
        }
        for (long t = lo; t <= hi; t += step * 60) {
            double tx = x.apply(t);
            boolean day = t % 86_400 == 0;
            s.raw("<line class=\"tick\" x1=\"").raw(fmt(tx)).raw("\" x2=\"").raw(fmt(tx)).raw("\" y1=\"").raw(axisTop + 16)
                    .raw("\" y2=\"").raw(rowsTop + rowsHeight).raw("\" stroke=\"").raw(day ? "#90a4ae" : "#eceff1").raw("\"/>\n");
            var utc = Instant.ofEpochSecond(t).atOffset(ZoneOffset.UTC);
            String label = day || step >= 1440 ? DAY.format(utc) : HOUR.format(utc);
            s.raw("<text x=\"").raw(fmt(tx + 2)).raw("\" y=\"").raw(axisTop + 12).raw("\"")
                    .raw(day ? " font-weight=\"600\"" : "").raw(">").text(label).raw("</text>\n");
            if (local) {
                var there = Instant.ofEpochSecond(t).atZone(zone);
                String localLabel = step >= 1440 ? DAY.format(there) : HOUR.format(there);
                s.raw("<text x=\"").raw(fmt(tx + 2)).raw("\" y=\"").raw(axisTop + 26).raw("\" fill=\"#546e7a\">")
                        .text(localLabel).raw("</text>\n");
            }
        }

        // Berth rows, with the hours a berth is closed shaded.
        Map<String, Integer> rowOf = new HashMap<>();
        for (int i = 0; i < berths.size(); i++) {
            String id = berths.get(i);
            rowOf.put(id, i);
            int y = rowsTop + i * ROW;
            s.raw("<g class=\"row\" data-berth=\"").text(id).raw("\" data-row=\"").raw(i).raw("\">");
            s.raw("<rect x=\"").raw(LEFT).raw("\" y=\"").raw(y).raw("\" width=\"").raw(fmt(innerWidth)).raw("\" height=\"")
                    .raw(ROW).raw("\" fill=\"").raw(i % 2 == 0 ? "#fafafa" : "#f3f5f7").raw("\"/>");
            s.raw("<text x=\"8\" y=\"").raw(y + ROW / 2 + 4).raw("\" font-weight=\"600\">").text(id).raw("</text>");
            BerthData b = berthData.get(id);
            if (b != null) {
                if (b.opensAt() != null) {
                    shade(s, x.apply(lo), x.apply(b.opensAt().getEpochSecond()), y, innerWidth, "closed-hours",
                            "closed until " + FULL.format(b.opensAt().atOffset(ZoneOffset.UTC)) + " UTC");
                }
                if (b.closesAt() != null) {
                    shade(s, x.apply(b.closesAt().getEpochSecond()), x.apply(hi), y, innerWidth, "closed-hours",
                            "closed from " + FULL.format(b.closesAt().atOffset(ZoneOffset.UTC)) + " UTC");
                }
                if (b.closures() != null) {
                    for (TimeWindow c : b.closures()) {
                        shade(s, x.apply(c.from().getEpochSecond()), x.apply(c.to().getEpochSecond()), y, innerWidth,
                                "closure", "closure " + FULL.format(c.from().atOffset(ZoneOffset.UTC)) + " - "
                                        + FULL.format(c.to().atOffset(ZoneOffset.UTC)) + " UTC");
                    }
                }
            }
            s.raw("</g>\n");
        }

        // The other plan's bars, as outlines under this plan's, where a vessel moved or shifted.
        for (Placed p : placed) {
            Placed was = other.get(p.vessel());
            if (was != null && (!was.berth().equals(p.berth()) || !was.start().equals(p.start()))
                    && rowOf.containsKey(was.berth())) {
                int y = rowsTop + rowOf.get(was.berth()) * ROW + (ROW - BAR) / 2;
                double a = x.apply(was.start().getEpochSecond());
                double b = x.apply(was.end().getEpochSecond());
                s.raw("<rect class=\"ghost\" data-vessel=\"").text(p.vessel()).raw("\" x=\"").raw(fmt(a)).raw("\" y=\"")
                        .raw(y).raw("\" width=\"").raw(fmt(Math.max(1, b - a))).raw("\" height=\"").raw(BAR)
                        .raw("\" fill=\"none\" stroke=\"#757575\" stroke-dasharray=\"3 2\"/>\n");
            }
        }

        int[] movedShifted = new int[2];
        for (Placed p : placed) {
            Integer row = rowOf.get(p.berth());
            int y = rowsTop + row * ROW + (ROW - BAR) / 2;
            VesselData v = vessels.get(p.vessel());
            long start = p.start().getEpochSecond();
            long end = p.end().getEpochSecond();
            Long handling = handling(v, p.berth());
            long serviceEnd = handling == null ? end : Math.min(end, start + handling * 60);
            long waitMin = v == null || v.arrival() == null ? 0 : Math.max(0, (start - v.arrival().getEpochSecond()) / 60);
            int waitClass = 0;
            while (waitMin > WAIT_LIMITS[waitClass]) {
                waitClass++;
            }
            Placed was = other.get(p.vessel());
            String change = null;
            if (compare != null) {
                if (was == null) {
                    change = "added";
                } else if (!was.berth().equals(p.berth())) {
                    change = "moved";
                    movedShifted[0]++;
                } else if (!was.start().equals(p.start())) {
                    change = "shifted";
                    movedShifted[1]++;
                }
            }
            double a = x.apply(start);
            double m = x.apply(serviceEnd);
            double b = x.apply(end);
            StringBuilder label = new StringBuilder(p.vessel()).append(" at ").append(p.berth()).append(", ")
                    .append(FULL.format(p.start().atOffset(ZoneOffset.UTC))).append(" to ")
                    .append(FULL.format(p.end().atOffset(ZoneOffset.UTC))).append(" UTC");
            label.append(waitMin == 0 ? ", no wait" : ", waited " + duration(waitMin));
            if (end > serviceEnd) {
                label.append(", waits ").append(duration((end - serviceEnd) / 60)).append(" at berth for the tide");
            }
            if (v != null && v.pinned() != null) {
                label.append(", pinned");
            }
            if (change != null && was != null) {
                label.append(change.equals("moved") ? ", moved from " + was.berth() : "")
                        .append(change.equals("shifted") || !was.start().equals(p.start())
                                ? ", start shifted " + signedDuration((start - was.start().getEpochSecond()) / 60) : "");
            } else if ("added".equals(change)) {
                label.append(", not placed in the other plan");
            }
            s.raw("<g class=\"bar").raw(change == null ? "" : " " + change).raw("\" tabindex=\"0\" role=\"img\"")
                    .attr("aria-label", label.toString()).attr("data-vessel", p.vessel()).attr("data-berth", p.berth())
                    .attr("data-start", p.start().toString()).attr("data-end", p.end().toString())
                    .attr("data-wait-minutes", waitMin)
                    .attr("data-arrival", v == null || v.arrival() == null ? "" : v.arrival().toString()).raw(">");
            s.raw("<title>").text(label.toString()).raw("</title>");
            if (v != null && v.arrival() != null && v.arrival().getEpochSecond() < start) {
                double ax = x.apply(v.arrival().getEpochSecond());
                s.raw("<line class=\"wait\" x1=\"").raw(fmt(ax)).raw("\" x2=\"").raw(fmt(a)).raw("\" y1=\"").raw(y + BAR / 2)
                        .raw("\" y2=\"").raw(y + BAR / 2).raw("\" stroke=\"#78909c\" stroke-dasharray=\"2 2\"/>");
            }
            if (v != null && v.arrival() != null) {
                double ax = x.apply(v.arrival().getEpochSecond());
                s.raw("<path class=\"arrival\" d=\"M").raw(fmt(ax - 4)).raw(" ").raw(y - 4).raw(" L").raw(fmt(ax + 4)).raw(" ")
                        .raw(y - 4).raw(" L").raw(fmt(ax)).raw(" ").raw(y + 2).raw(" Z\" fill=\"#37474f\"/>");
            }
            s.raw("<rect class=\"service\" x=\"").raw(fmt(a)).raw("\" y=\"").raw(y).raw("\" width=\"")
                    .raw(fmt(Math.max(1, m - a))).raw("\" height=\"").raw(BAR).raw("\" rx=\"2\" fill=\"")
                    .raw(WAIT_COLOURS[waitClass]).raw("\"")
                    .raw(change == null ? "" : " stroke=\"" + ("moved".equals(change) ? "#d50000" : "shifted".equals(change)
                            ? "#6a1b9a" : "#0d47a1") + "\" stroke-width=\"2.5\"")
                    .raw(v != null && v.pinned() != null && change == null ? " stroke=\"#263238\" stroke-width=\"1.5\"" : "")
                    .raw("/>");
            if (end > serviceEnd) {
                s.raw("<rect class=\"tail\" x=\"").raw(fmt(m)).raw("\" y=\"").raw(y).raw("\" width=\"")
                        .raw(fmt(Math.max(1, b - m))).raw("\" height=\"").raw(BAR).raw("\" fill=\"url(#hatch-tide)\"/>");
            }
            double room = m - a - 6;
            String marker = "moved".equals(change) ? "\u21c4 " : "shifted".equals(change) ? "\u2194 " : "";
            String shown = marker + p.vessel();
            if (room >= shown.length() * 6.2) {
                s.raw("<text class=\"lbl\" x=\"").raw(fmt(a + 3)).raw("\" y=\"").raw(y + BAR / 2 + 4).raw("\" fill=\"")
                        .raw(waitClass == 1 || waitClass == 2 ? "#000" : "#fff").raw("\">").text(shown).raw("</text>");
            }
            s.raw("</g>\n");
        }

        // Legend and the vessels left out.
        int lx = 8;
        s.raw("<g class=\"legend\">");
        for (int i = 0; i < WAIT_COLOURS.length; i++) {
            s.raw("<rect x=\"").raw(lx).raw("\" y=\"").raw(legendTop).raw("\" width=\"14\" height=\"12\" fill=\"")
                    .raw(WAIT_COLOURS[i]).raw("\"/><text x=\"").raw(lx + 18).raw("\" y=\"").raw(legendTop + 10).raw("\">")
                    .text(WAIT_LABELS[i]).raw("</text>");
            lx += 80;
        }
        s.raw("<rect x=\"").raw(lx).raw("\" y=\"").raw(legendTop).raw("\" width=\"14\" height=\"12\" fill=\"url(#hatch-tide)\"/>")
                .raw("<text x=\"").raw(lx + 18).raw("\" y=\"").raw(legendTop + 10).raw("\">waiting for the tide</text>");
        lx += 140;
        s.raw("<rect x=\"").raw(lx).raw("\" y=\"").raw(legendTop).raw("\" width=\"14\" height=\"12\" fill=\"url(#hatch-closed)\"/>")
                .raw("<text x=\"").raw(lx + 18).raw("\" y=\"").raw(legendTop + 10).raw("\">berth closed</text>");
        lx += 100;
        if (compare != null) {
            s.raw("<text x=\"").raw(lx).raw("\" y=\"").raw(legendTop + 10).raw("\">").text("\u21c4 moved berth: "
                    + movedShifted[0] + ", \u2194 shifted: " + movedShifted[1] + ", dashed: where it was").raw("</text>");
        }
        s.raw("</g>\n");
        if (!unassigned.isEmpty()) {
            int uy = legendTop + 40;
            s.raw("<text x=\"8\" y=\"").raw(uy).raw("\" font-weight=\"600\">").text("Unassigned (" + unassigned.size() + ")")
                    .raw("</text>\n");
            for (int i = 0; i < unassigned.size(); i++) {
                JsonNode u = unassigned.get(i);
                String detail = text(u, "detail");
                s.raw("<text class=\"unassigned\" x=\"8\" y=\"").raw(uy + 16 * (i + 1)).raw("\"").attr("data-vessel",
                        text(u, "vessel")).raw(">").text(text(u, "vessel") + ": " + text(u, "reason")
                        + (detail == null ? "" : " - " + detail)).raw("</text>\n");
            }
        }
        s.raw("</svg>\n");
        return s.toString();
    }

    private static void shade(Svg s, double a, double b, int y, double innerWidth, String cls, String title) {
        double from = clamp(a, LEFT, LEFT + innerWidth);
        double to = clamp(b, LEFT, LEFT + innerWidth);
        if (to <= from) {
            return;
        }
        s.raw("<rect class=\"").raw(cls).raw("\" x=\"").raw(fmt(from)).raw("\" y=\"").raw(y).raw("\" width=\"")
                .raw(fmt(to - from)).raw("\" height=\"").raw(ROW).raw("\" fill=\"url(#hatch-closed)\" opacity=\"0.8\"><title>")
                .text(title).raw("</title></rect>");
    }

    static List<Placed> placed(JsonNode plan) {
        List<Placed> out = new ArrayList<>();
        for (JsonNode a : plan.path("assignments")) {
            out.add(new Placed(a.path("vessel").asString(), a.path("berth").asString(),
                    Instant.parse(a.path("start").asString()), Instant.parse(a.path("end").asString())));
        }
        return out;
    }

    private static Long handling(VesselData v, String berth) {
        if (v == null) {
            return null;
        }
        if (v.handlingMinutesByBerth() != null && v.handlingMinutesByBerth().containsKey(berth)) {
            return v.handlingMinutesByBerth().get(berth);
        }
        return v.handlingMinutes();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() ? null : v.asString();
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String fmtNumber(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String duration(long minutes) {
        return minutes < 60 ? minutes + " min" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    private static String signedDuration(long minutes) {
        return (minutes >= 0 ? "+" : "-") + duration(Math.abs(minutes));
    }

    /** A string builder that escapes text and attribute values for XML. */
    private static final class Svg {
        private final StringBuilder out = new StringBuilder(64 * 1024);

        Svg raw(Object s) {
            out.append(s);
            return this;
        }

        Svg attr(String name, Object value) {
            out.append(' ').append(name).append("=\"");
            escape(String.valueOf(value));
            out.append('"');
            return this;
        }

        Svg text(String s) {
            escape(s == null ? "" : s);
            return this;
        }

        private void escape(String s) {
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '<' -> out.append("&lt;");
                    case '>' -> out.append("&gt;");
                    case '&' -> out.append("&amp;");
                    case '"' -> out.append("&quot;");
                    case '\'' -> out.append("&apos;");
                    default -> {
                        // Control characters are not allowed in XML 1.0; vessel ids from a hostile request may hold them.
                        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                            out.append('\uFFFD');
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
        }

        @Override
        public String toString() {
            return out.toString();
        }
    }
}
