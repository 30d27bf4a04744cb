package io.portopt.server.console;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.plan.Rung;
import io.portopt.server.system.MetricNames;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The cluster's state of the last minute for the console's live strip, from the servers' own
 * counters: every {@link #PERIOD_MS} each server writes what it answered in the last minute into one
 * Redis hash and reads everyone's back. A server that stopped writing drops out after
 * {@link #STALE_MS}. Requests read the last aggregate from memory, never Redis; without Redis the
 * strip shows this server alone and says so ({@code complete = false}).
 */
@Component
public class ClusterPulse implements DisposableBean {
    static final String KEY = "portopt:pulse";
    static final long PERIOD_MS = 2_000;
    static final long STALE_MS = 6_000;
    static final long WINDOW_MS = 60_000;
    /** Sets this server's field, forgets stale ones, and returns every field. */
    private static final String SCRIPT = """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('PEXPIRE', KEYS[1], 60000)
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local seen = tonumber(string.match(all[i + 1], '^(%d+)'))
              if seen == nil or seen < tonumber(ARGV[3]) - 60000 then redis.call('HDEL', KEYS[1], all[i]) end
            end
            return all
            """;

    /** One server's last minute. */
    public record ServerPulse(String name, long seenMsAgo, long answered, long degraded, long shed) {
    }

    /** The cluster's last minute: servers that reported within {@link #STALE_MS}, and their sums. */
    public record Pulse(int serversUp, List<ServerPulse> servers, long windowSeconds, long answered, long degraded,
                        long shed, double degradedShare, double shedPerSecond, boolean complete, String reportedBy) {
    }

    private record Sample(long atMs, double answered, double degraded, double shed) {
    }

    private final MeterRegistry registry;
    private final SharedCache shared;
    private final Clock clock;
    private final String serverName;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private final ScheduledExecutorService timer;
    private volatile Pulse latest;

    ClusterPulse(MeterRegistry registry, SharedCache shared, Clock clock,
                 @Value("${portopt.server-name:portopt}") String serverName) {
        this.registry = registry;
        this.shared = shared;
        this.clock = clock;
        this.serverName = serverName;
        this.latest = new Pulse(1, List.of(new ServerPulse(serverName, 0, 0, 0, 0)), 0, 0, 0, 0, 0, 0, false, serverName);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cluster-pulse");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::beat, 0, PERIOD_MS, TimeUnit.MILLISECONDS);
    }

    public Pulse latest() {
        return latest;
    }

    void beat() {
        try {
            long now = clock.millis();
            ServerPulse own = ownMinute(now);
            List<ServerPulse> servers = new ArrayList<>();
            boolean complete = false;
            List<Object> reply = shared.isAvailable() ? shared.eval(SCRIPT, KEY, serverName,
                    now + " " + own.answered() + " " + own.degraded() + " " + own.shed(), Long.toString(now)) : null;
            if (reply != null) {
                complete = true;
                for (int i = 0; i + 1 < reply.size(); i += 2) {
                    String name = text(reply.get(i));
                    String[] f = text(reply.get(i + 1)).split(" ");
                    if (f.length < 4) {
                        continue;
                    }
                    long ago = Math.max(0, now - Long.parseLong(f[0]));
                    if (ago <= STALE_MS) {
                        servers.add(new ServerPulse(name, ago, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])));
                    }
                }
            }
            if (servers.stream().noneMatch(s -> s.name().equals(serverName))) {
                servers.add(own);
            }
            servers.sort(Comparator.comparing(ServerPulse::name));
            long answered = servers.stream().mapToLong(ServerPulse::answered).sum();
            long degraded = servers.stream().mapToLong(ServerPulse::degraded).sum();
            long shed = servers.stream().mapToLong(ServerPulse::shed).sum();
            long windowSeconds = windowMs(now) / 1000;
            latest = new Pulse(servers.size(), List.copyOf(servers), windowSeconds, answered, degraded, shed,
                    answered == 0 ? 0 : (double) degraded / answered,
                    windowSeconds == 0 ? 0 : (double) shed / windowSeconds, complete, serverName);
        } catch (RuntimeException e) {
            // The strip is best effort; the next beat tries again.
        }
    }

    /** This server's answers in the last minute (or since it started, if that is shorter). */
    private synchronized ServerPulse ownMinute(long now) {
        double answered = 0;
        double degraded = 0;
        double shed = 0;
        for (Counter c : registry.find(MetricNames.PLANS).counters()) {
            String source = c.getId().getTag("source");
            if (Rung.SHED.label().equals(source)) {
                shed += c.count();
            } else {
                answered += c.count();
                if (isDegraded(source)) {
                    degraded += c.count();
                }
            }
        }
        samples.addLast(new Sample(now, answered, degraded, shed));
        while (samples.size() > 1 && samples.peekFirst().atMs() < now - WINDOW_MS) {
            samples.removeFirst();
        }
        Sample first = samples.peekFirst();
        return new ServerPulse(serverName, 0, Math.round(answered - first.answered()), Math.round(degraded - first.degraded()),
                Math.round(shed - first.shed()));
    }

    private synchronized long windowMs(long now) {
        return samples.isEmpty() ? 0 : Math.max(PERIOD_MS, now - samples.peekFirst().atMs());
    }

    private static boolean isDegraded(String source) {
        for (Rung r : Rung.values()) {
            if (r.label().equals(source)) {
                return r.degraded();
            }
        }
        return false;
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
