package io.portopt.server.tenant;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.system.MetricNames;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Per-tenant token buckets, shared by every server through Redis: one Lua script refills and takes a
 * token atomically, on Redis's clock. A tenant's bucket holds one second of its rate (at least one
 * request). When Redis cannot be asked each server keeps a bucket of its own, so the limit still
 * holds per server (the cluster then admits up to N times the rate; better than failing open).
 */
@Component
public class RateLimiter {
    private static final String KEY_PREFIX = "portopt:rate:";
    private static final String SCRIPT = """
            local rate = tonumber(ARGV[1])
            local capacity = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1]) or capacity
            local at = tonumber(state[2]) or now
            tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
            local allowed = 0
            if tokens >= 1 then
              tokens = tokens - 1
              allowed = 1
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
            redis.call('PEXPIRE', KEYS[1], math.ceil(capacity * 1000 / rate) + 1000)
            return {allowed, tostring(tokens)}
            """;

    /** The outcome for one request, with what the RateLimit headers report. */
    public record Decision(boolean allowed, long quota, long windowSeconds, long remaining, long resetSeconds,
                           long retryAfterSeconds) {
    }

    private final SharedCache shared;
    private final ConcurrentMap<String, LocalBucket> local = new ConcurrentHashMap<>();
    private final Counter limited;

    public RateLimiter(SharedCache shared, MeterRegistry registry) {
        this.shared = shared;
        this.limited = Counter.builder(MetricNames.RATE_LIMITED)
                .description("Requests refused with 429 because their tenant was over its rate").register(registry);
    }

    /** Takes a token for the tenant's request; null when the tenant has no limit. */
    public Decision acquire(Tenant tenant) {
        if (!tenant.limited()) {
            return null;
        }
        double rate = tenant.ratePerSecond();
        double capacity = Math.max(1, Math.ceil(rate));
        double tokens;
        boolean allowed;
        List<Object> reply = shared.eval(SCRIPT, KEY_PREFIX + tenant.id(), Double.toString(rate), Double.toString(capacity));
        if (reply != null && reply.size() == 2) {
            allowed = ((Number) reply.get(0)).longValue() == 1;
            tokens = Double.parseDouble(text(reply.get(1)));
        } else {
            LocalBucket bucket = local.computeIfAbsent(tenant.id(), id -> new LocalBucket());
            double[] taken = bucket.take(rate, capacity);
            allowed = taken[0] == 1;
            tokens = taken[1];
        }
        if (!allowed) {
            limited.increment();
        }
        long window = (long) Math.ceil(capacity / rate);
        long reset = (long) Math.ceil((capacity - tokens) / rate);
        long retryAfter = allowed ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / rate));
        return new Decision(allowed, (long) capacity, window, (long) Math.floor(tokens), reset, retryAfter);
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    private static final class LocalBucket {
        private double tokens = Double.NaN;
        private long at;

        synchronized double[] take(double rate, double capacity) {
            long now = System.nanoTime();
            if (Double.isNaN(tokens)) {
                tokens = capacity;
            } else {
                tokens = Math.min(capacity, tokens + (now - at) / 1e9 * rate);
            }
            at = now;
            if (tokens >= 1) {
                tokens -= 1;
                return new double[] {1, tokens};
            }
            return new double[] {0, tokens};
        }
    }
}
