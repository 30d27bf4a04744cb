package io.portopt.server.plan;

import io.portopt.server.port.BerthData;
import io.portopt.server.port.PortBody;
import io.portopt.server.port.PortData;
import io.portopt.server.port.TideData;
import io.portopt.server.port.TimeWindow;
import io.portopt.server.system.FieldError;
import io.portopt.server.system.LimitsProperties;
import io.portopt.solver.BerthPlanner;
import io.portopt.solver.model.Assignment;
import io.portopt.solver.model.Berth;
import io.portopt.solver.model.Interval;
import io.portopt.solver.model.Pin;
import io.portopt.solver.model.PinConflict;
import io.portopt.solver.model.Problem;
import io.portopt.solver.model.Stability;
import io.portopt.solver.model.Tide;
import io.portopt.solver.model.Vessel;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Validates a plan request and turns it into a solver problem (epoch seconds, sorted by id).
 * Collects every field error rather than stopping at the first, so a client can fix them all at once.
 */
@org.springframework.stereotype.Component
public final class RequestMapper {
    public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2500-01-01T00:00:00Z");
    /** Ten years: longer handling is a unit mistake, not a vessel call. */
    public static final long MAX_HANDLING_MINUTES = 10L * 366 * 24 * 60;
    public static final int MAX_ID_LENGTH = 64;
    public static final double MAX_WEIGHT = 1e6;
    public static final double MAX_METRES = 10_000;
    private static final Pattern PORT_CODE = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final long SECONDS_PER_MINUTE = 60;

    private final LimitsProperties limits;

    public RequestMapper(LimitsProperties limits) {
        this.limits = limits;
    }

    /** The outcome of validation: either a resolved request or the errors and their HTTP status. */
    public record Outcome(ResolvedRequest request, List<FieldError> errors, boolean tooMany) {
        public boolean valid() {
            return errors.isEmpty();
        }
    }

    /**
     * What a request is mapped for: a plain plan request, a job (longer time limits), or a replan
     * (no vessel starts before {@code notBefore}; the stability term against {@code base}).
     */
    public record Context(Duration maxTimeLimit, long notBefore, Map<String, Assignment> base, String port) {
        public boolean replan() {
            return base != null;
        }
    }

    public Context plainRequest() {
        return new Context(limits.maxTimeLimit(), Long.MIN_VALUE, null, null);
    }

    /** A job: time limits up to {@code maxTimeLimit}; {@code port} names the stored port its berths came from, if any. */
    public Context job(Duration maxTimeLimit, String port) {
        return new Context(maxTimeLimit, Long.MIN_VALUE, null, port);
    }

    /** A replan of a plan for {@code port} (null: berths inline), as of {@code notBefore}, against {@code base}. */
    public Context replan(long notBefore, Map<String, Assignment> base, String port) {
        return new Context(limits.maxTimeLimit(), notBefore, base, port);
    }

    public Outcome map(PlanRequest r, Function<String, PortData> ports) {
        return map(r, ports, plainRequest());
    }

    public Outcome map(PlanRequest r, Function<String, PortData> ports, Context context) {
        List<FieldError> errors = new ArrayList<>();
        if (r == null) {
            errors.add(new FieldError("", "request body must be a JSON object"));
            return new Outcome(null, errors, false);
        }
        List<BerthData> berthData = r.berths();
        TideData tideData = r.tide();
        String portCode = null;
        if (r.port() != null && r.berths() != null) {
            errors.add(new FieldError("port", "give either port or berths, not both"));
        } else if (r.port() != null) {
            if (!PORT_CODE.matcher(r.port()).matches()) {
                errors.add(new FieldError("port", "must be 1-32 letters, digits, '-' or '_'"));
            } else {
                PortData port = ports.apply(r.port());
                if (port == null) {
                    errors.add(new FieldError("port", "unknown port '" + r.port() + "': PUT /v1/ports/" + r.port() + " first"));
                } else {
                    portCode = port.code();
                    berthData = port.berths();
                    if (tideData == null) {
                        tideData = port.tide();
                    }
                }
            }
        } else if (r.berths() == null) {
            errors.add(new FieldError("berths", "give either port (stored port data) or berths"));
        }
        if (portCode == null && context.port() != null) {
            portCode = context.port();   // a replan of a stored port's plan: its berths come inline
        }
        boolean tooMany = false;
        if (berthData != null && berthData.size() > limits.maxBerths()) {
            errors.add(new FieldError("berths", "at most " + limits.maxBerths() + " berths, got " + berthData.size()));
            tooMany = true;
        }
        if (r.vessels() == null || r.vessels().isEmpty()) {
            errors.add(new FieldError("vessels", "at least one vessel is required"));
        } else if (r.vessels().size() > limits.maxVessels()) {
            errors.add(new FieldError("vessels", "at most " + limits.maxVessels() + " vessels, got " + r.vessels().size()));
            tooMany = true;
        }
        if (tideData != null && tideData.windows() != null && tideData.windows().size() > limits.maxTideWindows()) {
            errors.add(new FieldError("tide.windows", "at most " + limits.maxTideWindows() + " windows"));
            tooMany = true;
        }
        EffectiveOptions options = options(r.options(), context.maxTimeLimit(), errors);
        Stability stability = stability(r.options(), context, errors);
        if (tooMany) {
            return new Outcome(null, errors, true);
        }
        List<Berth> berths = berthData == null ? List.of() : berths(berthData, portCode != null, errors);
        Set<String> berthIds = new HashSet<>();
        berths.forEach(b -> berthIds.add(b.id()));
        List<Vessel> vessels = r.vessels() == null ? List.of() : vessels(r.vessels(), berthIds, errors);
        Tide tide = tideData == null ? null : tide(tideData, r.tide() == null && portCode != null ? "port.tide" : "tide", errors);
        if (!errors.isEmpty()) {
            return new Outcome(null, errors, false);
        }
        List<Berth> sortedBerths = berths.stream().sorted(Comparator.comparing(Berth::id)).toList();
        List<Vessel> sortedVessels = vessels.stream().sorted(Comparator.comparing(Vessel::id)).toList();
        Problem problem = new Problem(sortedBerths, sortedVessels, tide, context.notBefore(), stability);
        pinConflicts(problem, r.vessels(), errors);
        if (!errors.isEmpty()) {
            return new Outcome(null, errors, false);
        }
        PlanRequest stored = new PlanRequest(null, berthData, r.vessels(), tideData, r.options());
        return new Outcome(new ResolvedRequest(portCode, problem, options, Fingerprint.of(portCode, problem, options),
                stored, null, null), errors, false);
    }

    /** Errors in port data for {@code PUT /v1/ports/{code}}; empty when it can be stored. */
    public List<FieldError> validatePort(String code, PortBody body) {
        List<FieldError> errors = new ArrayList<>();
        if (body.code() != null && !body.code().equals(code)) {
            errors.add(new FieldError("code", "must match the code in the path, '" + code + "'"));
        }
        if (body.name() != null && body.name().length() > 200) {
            errors.add(new FieldError("name", "at most 200 characters"));
        } else if (body.name() != null && !printable(body.name())) {
            errors.add(new FieldError("name", "must not contain control characters or unpaired surrogates"));
        }
        if (body.berths() == null || body.berths().isEmpty()) {
            errors.add(new FieldError("berths", "at least one berth is required"));
        } else if (body.berths().size() > limits.maxBerths()) {
            errors.add(new FieldError("berths", "at most " + limits.maxBerths() + " berths, got " + body.berths().size()));
        } else {
            berths(body.berths(), false, errors);
        }
        if (body.tide() != null) {
            if (body.tide().windows() != null && body.tide().windows().size() > limits.maxTideWindows()) {
                errors.add(new FieldError("tide.windows", "at most " + limits.maxTideWindows() + " windows"));
            } else {
                tide(body.tide(), "tide", errors);
            }
        }
        return errors;
    }

    /** Pins that overlap each other or break a hard constraint: a 422 naming both, never a silent move. */
    private static void pinConflicts(Problem problem, List<VesselData> data, List<FieldError> errors) {
        boolean anyFixed = problem.vessels().stream().anyMatch(v -> v.pinned() != null || v.fixedBerth() != null);
        if (!anyFixed) {
            return;
        }
        Map<String, Integer> index = new java.util.HashMap<>();
        for (int i = 0; i < data.size(); i++) {
            index.putIfAbsent(data.get(i).id(), i);
        }
        for (PinConflict c : BerthPlanner.pinConflicts(problem)) {
            Integer i = index.get(c.vessel());
            VesselData v = i == null ? null : data.get(i);
            String field = "vessels[" + i + "]." + (v != null && v.pinned() == null ? "fixedBerth" : "pinned");
            errors.add(new FieldError(field, "vessel '" + c.vessel() + "' conflicts with '" + c.other() + "': " + c.reason()));
        }
    }

    private static Stability stability(PlanOptions o, Context context, List<FieldError> errors) {
        StabilityData s = o == null ? null : o.stability();
        if (!context.replan()) {
            if (s != null) {
                errors.add(new FieldError("options.stability", "applies to replans only (POST /v1/plans/{id}:replan)"));
            }
            return null;
        }
        double perMove = s == null || s.perBerthMove() == null ? StabilityData.DEFAULT_PER_BERTH_MOVE : s.perBerthMove();
        double perHour = s == null || s.perHourShift() == null ? StabilityData.DEFAULT_PER_HOUR_SHIFT : s.perHourShift();
        if (!(perMove >= 0) || perMove > MAX_WEIGHT * 1000) {
            errors.add(new FieldError("options.stability.perBerthMove", "must be between 0 and " + (long) (MAX_WEIGHT * 1000)));
        }
        if (!(perHour >= 0) || perHour > MAX_WEIGHT * 1000) {
            errors.add(new FieldError("options.stability.perHourShift", "must be between 0 and " + (long) (MAX_WEIGHT * 1000)));
        }
        if (perMove == 0 && perHour == 0) {
            return null;
        }
        // The API's unit is weighted minutes (and per hour of shift); the solver's is weighted seconds.
        return new Stability(context.base(), perMove * SECONDS_PER_MINUTE, perHour * SECONDS_PER_MINUTE / 3600.0);
    }

    private EffectiveOptions options(PlanOptions o, Duration maxTimeLimit, List<FieldError> errors) {
        Duration timeLimit = limits.defaultTimeLimit();
        boolean approximate = true;
        long seed = 0;
        if (o != null) {
            if (o.timeLimitMs() != null) {
                if (o.timeLimitMs() < 1 || o.timeLimitMs() > maxTimeLimit.toMillis()) {
                    errors.add(new FieldError("options.timeLimitMs", "must be between 1 and " + maxTimeLimit.toMillis()));
                } else {
                    timeLimit = Duration.ofMillis(o.timeLimitMs());
                }
            }
            if (o.allowApproximate() != null) {
                approximate = o.allowApproximate();
            }
            if (o.seed() != null) {
                seed = o.seed();
            }
        }
        return new EffectiveOptions(timeLimit, approximate, seed);
    }

    private List<Berth> berths(List<BerthData> data, boolean stored, List<FieldError> errors) {
        List<Berth> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        String prefix = stored ? "port.berths" : "berths";
        for (int i = 0; i < data.size(); i++) {
            String at = prefix + "[" + i + "]";
            BerthData b = data.get(i);
            if (b == null) {
                errors.add(new FieldError(at, "must be an object"));
                continue;
            }
            int before = errors.size();
            id(b.id(), at + ".id", ids, errors);
            positive(b.lengthM(), MAX_METRES, at + ".lengthM", errors);
            positive(b.depthM(), MAX_METRES, at + ".depthM", errors);
            instant(b.opensAt(), at + ".opensAt", false, errors);
            instant(b.closesAt(), at + ".closesAt", false, errors);
            if (b.opensAt() != null && b.closesAt() != null && !b.opensAt().isBefore(b.closesAt())) {
                errors.add(new FieldError(at + ".closesAt", "must be after opensAt"));
            }
            List<Interval> closures = new ArrayList<>();
            if (b.closures() != null) {
                if (b.closures().size() > limits.maxClosuresPerBerth()) {
                    errors.add(new FieldError(at + ".closures", "at most " + limits.maxClosuresPerBerth() + " closures"));
                } else {
                    for (int c = 0; c < b.closures().size(); c++) {
                        Interval interval = window(b.closures().get(c), at + ".closures[" + c + "]", errors);
                        if (interval != null) {
                            closures.add(interval);
                        }
                    }
                }
            }
            if (errors.size() == before) {
                out.add(new Berth(b.id(), b.lengthM(), b.depthM(),
                        b.opensAt() == null ? Long.MIN_VALUE : b.opensAt().getEpochSecond(),
                        b.closesAt() == null ? Long.MAX_VALUE : b.closesAt().getEpochSecond(), closures));
            }
        }
        return out;
    }

    private List<Vessel> vessels(List<VesselData> data, Set<String> berthIds, List<FieldError> errors) {
        List<Vessel> out = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < data.size(); i++) {
            String at = "vessels[" + i + "]";
            VesselData v = data.get(i);
            if (v == null) {
                errors.add(new FieldError(at, "must be an object"));
                continue;
            }
            int before = errors.size();
            id(v.id(), at + ".id", ids, errors);
            instant(v.arrival(), at + ".arrival", true, errors);
            instant(v.latestDeparture(), at + ".latestDeparture", false, errors);
            if (v.arrival() != null && v.latestDeparture() != null && !v.latestDeparture().isAfter(v.arrival())) {
                errors.add(new FieldError(at + ".latestDeparture", "must be after arrival"));
            }
            positive(v.lengthM(), MAX_METRES, at + ".lengthM", errors);
            positive(v.draftM(), MAX_METRES, at + ".draftM", errors);
            positive(v.weight(), MAX_WEIGHT, at + ".weight", errors);
            Map<String, Long> byBerth = new LinkedHashMap<>();
            boolean hasByBerth = v.handlingMinutesByBerth() != null && !v.handlingMinutesByBerth().isEmpty();
            if (v.handlingMinutes() == null && !hasByBerth) {
                errors.add(new FieldError(at + ".handlingMinutes", "give handlingMinutes or handlingMinutesByBerth"));
            }
            if (v.handlingMinutes() != null) {
                handling(v.handlingMinutes(), at + ".handlingMinutes", errors);
            }
            if (hasByBerth) {
                for (Map.Entry<String, Long> e : v.handlingMinutesByBerth().entrySet()) {
                    String field = at + ".handlingMinutesByBerth." + e.getKey();
                    if (!berthIds.contains(e.getKey())) {
                        errors.add(new FieldError(field, "no berth with this id"));
                    } else if (handling(e.getValue(), field, errors)) {
                        byBerth.put(e.getKey(), e.getValue() * SECONDS_PER_MINUTE);
                    }
                }
            }
            if (v.fixedBerth() != null && !berthIds.contains(v.fixedBerth())) {
                errors.add(new FieldError(at + ".fixedBerth", "no berth with this id"));
            }
            Pin pin = null;
            if (v.pinned() != null) {
                if (v.pinned().berth() == null || !berthIds.contains(v.pinned().berth())) {
                    errors.add(new FieldError(at + ".pinned.berth", v.pinned().berth() == null ? "is required" : "no berth with this id"));
                }
                instant(v.pinned().start(), at + ".pinned.start", true, errors);
                if (errors.size() == before) {
                    pin = new Pin(v.pinned().berth(), v.pinned().start().getEpochSecond());
                }
            }
            if (errors.size() == before) {
                Long handling = v.handlingMinutes() == null ? null : v.handlingMinutes() * SECONDS_PER_MINUTE;
                out.add(new Vessel(v.id(), v.arrival().getEpochSecond(), v.lengthM(), v.draftM(),
                        v.weight() == null ? Vessel.DEFAULT_WEIGHT : v.weight(), handling, byBerth,
                        v.latestDeparture() == null ? Long.MAX_VALUE : v.latestDeparture().getEpochSecond(),
                        v.fixedBerth(), pin));
            }
        }
        return out;
    }

    private Tide tide(TideData t, String at, List<FieldError> errors) {
        int before = errors.size();
        if (t.draftThresholdM() == null) {
            errors.add(new FieldError(at + ".draftThresholdM", "is required"));
        } else {
            positive(t.draftThresholdM(), MAX_METRES, at + ".draftThresholdM", errors);
        }
        List<Interval> windows = new ArrayList<>();
        if (t.windows() != null) {
            for (int i = 0; i < t.windows().size(); i++) {
                Interval w = window(t.windows().get(i), at + ".windows[" + i + "]", errors);
                if (w != null) {
                    windows.add(w);
                }
            }
        }
        return errors.size() == before ? new Tide(t.draftThresholdM(), windows) : null;
    }

    private static Interval window(TimeWindow w, String at, List<FieldError> errors) {
        if (w == null) {
            errors.add(new FieldError(at, "must be an object with from and to"));
            return null;
        }
        int before = errors.size();
        instant(w.from(), at + ".from", true, errors);
        instant(w.to(), at + ".to", true, errors);
        if (errors.size() != before) {
            return null;
        }
        if (!w.from().isBefore(w.to())) {
            errors.add(new FieldError(at + ".to", "must be after from"));
            return null;
        }
        return new Interval(w.from().getEpochSecond(), w.to().getEpochSecond());
    }

    /** No control characters (PostgreSQL text cannot even hold NUL) and well-formed UTF-16. */
    private static boolean printable(String s) {
        return s.codePoints().noneMatch(cp -> Character.isISOControl(cp)
                || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE));
    }

    private static void id(String id, String at, Set<String> seen, List<FieldError> errors) {
        if (id == null || id.isBlank()) {
            errors.add(new FieldError(at, "is required"));
        } else if (id.length() > MAX_ID_LENGTH) {
            errors.add(new FieldError(at, "at most " + MAX_ID_LENGTH + " characters"));
        } else if (id.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError(at, "must not contain control characters"));
        } else if (id.codePoints().anyMatch(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) {
            errors.add(new FieldError(at, "must be well-formed Unicode (no unpaired surrogates)"));
        } else if (!seen.add(id)) {
            errors.add(new FieldError(at, "duplicate id '" + id + "'"));
        }
    }

    private static void positive(Double x, double max, String at, List<FieldError> errors) {
        if (x != null && (!(x > 0) || x > max)) {
            errors.add(new FieldError(at, "must be greater than 0 and at most " + (long) max));
        }
    }

    private static boolean handling(Long minutes, String at, List<FieldError> errors) {
        if (minutes == null || minutes < 1 || minutes > MAX_HANDLING_MINUTES) {
            errors.add(new FieldError(at, "must be a whole number of minutes between 1 and " + MAX_HANDLING_MINUTES));
            return false;
        }
        return true;
    }

    private static void instant(Instant t, String at, boolean required, List<FieldError> errors) {
        if (t == null) {
            if (required) {
                errors.add(new FieldError(at, "is required"));
            }
        } else if (t.isBefore(EARLIEST) || !t.isBefore(LATEST)) {
            errors.add(new FieldError(at, "must be between " + EARLIEST + " and " + LATEST));
        }
    }
}
