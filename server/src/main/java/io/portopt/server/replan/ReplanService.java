package io.portopt.server.replan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.portopt.server.cache.TwoTierCache;
import io.portopt.server.plan.PinData;
import io.portopt.server.plan.PlanOptions;
import io.portopt.server.plan.PlanRequest;
import io.portopt.server.plan.PlanController;
import io.portopt.server.plan.PlanService;
import io.portopt.server.plan.ResolvedRequest;
import io.portopt.server.plan.PlanStore;
import io.portopt.server.plan.RequestMapper;
import io.portopt.server.plan.VesselData;
import io.portopt.server.port.BerthData;
import io.portopt.server.port.TimeWindow;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.FieldError;
import io.portopt.server.tenant.Tenant;
import io.portopt.solver.model.Assignment;
import org.springframework.stereotype.Service;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Replans a stored plan: applies the changes to the request the plan answers, freezes every
 * vessel that starts before {@code now + freezeMinutes} where the base plan put it, and solves the
 * changed problem warm-started from the base plan, with the stability term against it. The answer
 * is a new stored plan {@code basedOn} the old one, walked down the same ladder as any plan request.
 */
@Service
public class ReplanService {
    /** A week: a longer frozen horizon is a unit mistake. */
    static final long MAX_FREEZE_MINUTES = 7L * 24 * 60;

    private final PlanService plans;
    private final PlanStore store;
    private final RequestMapper mapper;
    private final JsonMapper json;
    private final Clock clock;
    /**
     * Base plans as parsed, per tenant and id. Plans never change once stored, and a planner tries
     * several changes on the same plan: parsing a 200-vessel plan and its request again each time
     * would cost more than a short replan's search.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Base> bases =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(2000).build();

    /** A stored plan ready to be replanned: its assignments and the request it answers. */
    record Base(BaseBody body, PlanRequest request) {
    }

    public ReplanService(PlanService plans, PlanStore store, RequestMapper mapper, JsonMapper json, Clock clock) {
        this.plans = plans;
        this.store = store;
        this.mapper = mapper;
        this.json = json;
        this.clock = clock;
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BaseBody(String id, String port, List<BaseAssignment> assignments) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record BaseAssignment(String vessel, String berth, Instant start, Instant end) {
    }

    public PlanService.Reply replan(Tenant tenant, String baseId, ReplanRequest body, String idempotencyKey,
                                    CompletableFuture<TwoTierCache.Hit<String>> earlierAnswer, long receivedNanos,
                                    long receivedEpochMs, String answerByStamp)
            throws InterruptedException {
        UUID id = PlanController.planId(baseId);
        Base loaded = bases.getIfPresent(tenant.id() + "/" + id);
        if (loaded == null) {
            byte[] baseBytes = store.find(tenant.id(), id).orElseThrow(() -> ApiException.notFound("no plan '" + baseId + "'"));
            byte[] requestBytes = store.findRequest(tenant.id(), id).orElseThrow(() -> ApiException.unprocessable(
                    "plan '" + baseId + "' was stored before plans kept their requests and cannot be replanned; solve it again",
                    List.of()));
            loaded = new Base(json.readValue(baseBytes, BaseBody.class), json.readValue(requestBytes, PlanRequest.class));
            bases.put(tenant.id() + "/" + id, loaded);
        }
        BaseBody base = loaded.body();
        PlanRequest request = loaded.request();
        List<FieldError> errors = new ArrayList<>();
        if (body == null) {
            throw ApiException.unprocessable("the replan is invalid", List.of(new FieldError("", "request body must be a JSON object")));
        }
        Instant now = body.now() == null ? clock.instant() : body.now();
        if (now.isBefore(RequestMapper.EARLIEST) || !now.isBefore(RequestMapper.LATEST)) {
            errors.add(new FieldError("now", "must be between " + RequestMapper.EARLIEST + " and " + RequestMapper.LATEST));
        }
        long freeze = body.freezeMinutes() == null ? 0 : body.freezeMinutes();
        if (freeze < 0 || freeze > MAX_FREEZE_MINUTES) {
            errors.add(new FieldError("freezeMinutes", "must be between 0 and " + MAX_FREEZE_MINUTES));
            freeze = 0;
        }
        Instant horizon = now.plus(Duration.ofMinutes(freeze));

        List<Assignment> baseAssignments = new ArrayList<>();
        Map<String, Assignment> baseByVessel = new LinkedHashMap<>();
        for (BaseAssignment a : base.assignments()) {
            Assignment assignment = new Assignment(a.vessel(), a.berth(), a.start().getEpochSecond(), a.end().getEpochSecond());
            baseAssignments.add(assignment);
            baseByVessel.put(a.vessel(), assignment);
        }
        Map<String, VesselData> vessels = new LinkedHashMap<>();
        request.vessels().forEach(v -> vessels.put(v.id(), v));
        Map<String, List<TimeWindow>> closures = new LinkedHashMap<>();
        request.berths().forEach(b -> closures.put(b.id(), new ArrayList<>(b.closures() == null ? List.of() : b.closures())));

        List<ChangeData> changes = body.changes() == null ? List.of() : body.changes();
        if (changes.size() > 2 * Math.max(1, vessels.size()) + 1000) {
            throw ApiException.tooLarge("at most " + (2 * vessels.size() + 1000) + " changes");
        }
        for (int i = 0; i < changes.size(); i++) {
            apply(changes.get(i), "changes[" + i + "]", vessels, closures, baseByVessel, horizon, errors);
        }
        if (!errors.isEmpty()) {
            throw ApiException.unprocessable("the replan is invalid", errors);
        }
        // Vessels that start before the frozen horizon stay exactly where the base plan has them.
        List<VesselData> changedVessels = new ArrayList<>();
        for (VesselData v : vessels.values()) {
            Assignment was = baseByVessel.get(v.id());
            boolean frozen = was != null && was.start() < horizon.getEpochSecond() && v.pinned() == null;
            changedVessels.add(frozen ? v.withPinned(new PinData(was.berth(), Instant.ofEpochSecond(was.start()))) : v);
        }
        List<BerthData> changedBerths = request.berths().stream()
                .map(b -> new BerthData(b.id(), b.lengthM(), b.depthM(), b.opensAt(), b.closesAt(),
                        closures.get(b.id()).isEmpty() ? null : List.copyOf(closures.get(b.id()))))
                .toList();
        PlanOptions options = body.options() == null ? null : body.options();
        PlanRequest changed = new PlanRequest(null, changedBerths, changedVessels, request.tide(), options);
        RequestMapper.Outcome outcome = mapper.map(changed, code -> null,
                mapper.replan(now.getEpochSecond(), baseByVessel, base.port()));
        if (!outcome.valid()) {
            if (outcome.tooMany()) {
                throw new ApiException(413, "Content Too Large", "the replanned request exceeds a size limit", outcome.errors(), null);
            }
            throw ApiException.unprocessable("the replanned request is invalid", outcome.errors());
        }
        ResolvedRequest replan = outcome.request().asReplanOf(id.toString(), baseAssignments, receivedNanos);
        return plans.plan(tenant, replan, idempotencyKey, earlierAnswer,
                plans.deadline(answerByStamp, replan, receivedNanos, receivedEpochMs));
    }

    private void apply(ChangeData c, String at, Map<String, VesselData> vessels, Map<String, List<TimeWindow>> closures,
                       Map<String, Assignment> base, Instant horizon, List<FieldError> errors) {
        if (c == null || c.type() == null) {
            errors.add(new FieldError(at + ".type", "is required: eta, cancel, add, handling, closure or reopen"));
            return;
        }
        switch (c.type()) {
            case "eta" -> {
                VesselData v = existing(c, at, vessels, errors);
                if (v == null) {
                    return;
                }
                if (c.arrival() == null) {
                    errors.add(new FieldError(at + ".arrival", "is required"));
                } else if (frozen(v.id(), base, horizon)) {
                    errors.add(new FieldError(at + ".vessel", "vessel '" + v.id() + "' starts before now + freezeMinutes"
                            + " and keeps its berth and start; its arrival cannot change"));
                } else {
                    vessels.put(v.id(), v.withArrival(c.arrival()));
                }
            }
            case "cancel" -> {
                VesselData v = existing(c, at, vessels, errors);
                if (v != null) {
                    vessels.remove(v.id());
                }
            }
            case "handling" -> {
                VesselData v = existing(c, at, vessels, errors);
                if (v == null) {
                    return;
                }
                if (c.handlingMinutes() == null || c.handlingMinutes() < 1 || c.handlingMinutes() > RequestMapper.MAX_HANDLING_MINUTES) {
                    errors.add(new FieldError(at + ".handlingMinutes", "must be a whole number of minutes between 1 and "
                            + RequestMapper.MAX_HANDLING_MINUTES));
                } else {
                    vessels.put(v.id(), v.withHandling(c.handlingMinutes()));
                }
            }
            case "add" -> {
                if (c.vessel() == null || !c.vessel().isObject()) {
                    errors.add(new FieldError(at + ".vessel", "must be a vessel call (an object with id, arrival, handlingMinutes, ...)"));
                    return;
                }
                VesselData v;
                try {
                    v = json.treeToValue(c.vessel(), VesselData.class);
                } catch (JacksonException e) {
                    errors.add(new FieldError(at + ".vessel", "not a valid vessel call: " + summary(e)));
                    return;
                }
                if (v.id() == null || v.id().isBlank()) {
                    errors.add(new FieldError(at + ".vessel.id", "is required"));
                } else if (vessels.containsKey(v.id())) {
                    errors.add(new FieldError(at + ".vessel.id", "vessel '" + abbreviate(v.id()) + "' is already in the plan"));
                } else {
                    vessels.put(v.id(), v);
                }
            }
            case "closure", "reopen" -> {
                if (c.berth() == null || !closures.containsKey(c.berth())) {
                    errors.add(new FieldError(at + ".berth", c.berth() == null ? "is required" : "no berth with this id"));
                    return;
                }
                if (c.from() == null || c.to() == null || !c.from().isBefore(c.to())) {
                    errors.add(new FieldError(at + ".to", "from and to are required, to after from"));
                    return;
                }
                List<TimeWindow> list = closures.get(c.berth());
                if (c.type().equals("closure")) {
                    list.add(new TimeWindow(c.from(), c.to()));
                } else {
                    closures.put(c.berth(), without(list, c.from(), c.to()));
                }
            }
            default -> errors.add(new FieldError(at + ".type", "unknown change '" + abbreviate(c.type())
                    + "': eta, cancel, add, handling, closure or reopen"));
        }
    }

    /** The closures with {@code [from, to)} cut out of them. */
    static List<TimeWindow> without(List<TimeWindow> closures, Instant from, Instant to) {
        List<TimeWindow> out = new ArrayList<>();
        for (TimeWindow w : closures) {
            if (!w.to().isAfter(from) || !w.from().isBefore(to)) {
                out.add(w);
                continue;
            }
            if (w.from().isBefore(from)) {
                out.add(new TimeWindow(w.from(), from));
            }
            if (w.to().isAfter(to)) {
                out.add(new TimeWindow(to, w.to()));
            }
        }
        return out;
    }

    private static boolean frozen(String vessel, Map<String, Assignment> base, Instant horizon) {
        Assignment a = base.get(vessel);
        return a != null && a.start() < horizon.getEpochSecond();
    }

    private static VesselData existing(ChangeData c, String at, Map<String, VesselData> vessels, List<FieldError> errors) {
        if (c.vessel() == null || !c.vessel().isString()) {
            errors.add(new FieldError(at + ".vessel", "is required: the id of a vessel in the plan"));
            return null;
        }
        String id = c.vessel().asString();
        VesselData v = vessels.get(id);
        if (v == null) {
            errors.add(new FieldError(at + ".vessel", "no vessel '" + abbreviate(id) + "' in the plan"));
        }
        return v;
    }

    private static String summary(JacksonException e) {
        String m = e.getOriginalMessage();
        return m == null ? "invalid value" : abbreviate(m.split("\n")[0]);
    }

    private static String abbreviate(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
