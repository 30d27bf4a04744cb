package io.portopt.bench;

import io.portopt.client.PortoptClient;
import io.portopt.client.Response;
import io.portopt.client.RetryPolicy;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * {@code bench load}: open-model load on {@code POST /v1/plans} through the Java client SDK (with its
 * retries unless {@code --no-retries}), authenticated with {@code --api-key} or {@code $PORTOPT_API_KEY}.
 *
 * <p>Request {@code i} is due at {@code start + i / rate}, whether or not earlier requests have
 * finished; each runs on its own virtual thread. Latency is measured from that intended start, not
 * from when the request actually left, so a stalled server or a stalled generator shows up in the
 * percentiles instead of hiding (coordinated omission). Latencies go into HdrHistograms in
 * microseconds (up to 60 s; longer values are clamped).
 *
 * <p>Sending stops at {@code --duration}; the tool then waits at most {@code --drain-s} (default 30 s)
 * for requests in flight, and counts the ones still running as timeouts. Progress goes to stderr once
 * a second; the last stdout line is a JSON summary. Counts are of logical requests (after the SDK's
 * retries), unless said otherwise:
 * <ul>
 *   <li>{@code sent}, {@code ok} (2xx), {@code failed} (any other status; {@code failedByStatus}),
 *       {@code byStatus} (every status);</li>
 *   <li>{@code timeouts} = {@code requestTimeouts} (the SDK's request timeout fired) +
 *       {@code stillRunningAtEnd} (not done when the drain window closed); {@code connectionErrors}
 *       (no answer after the retries: refused, reset, connect timeout); {@code otherErrors};</li>
 *   <li>{@code shed503} (503s that reached the caller) and {@code shed503WithoutRetryAfter};</li>
 *   <li>{@code bySource}: {@code quality.source} of the 2xx plans; {@code degraded};</li>
 *   <li>{@code latencyMs} (every finished request, answers and errors alike), {@code okLatencyMs},
 *       {@code shed503LatencyMs} (when there are any): count, p50, p90, p99, p999, max, mean, all from
 *       the intended start;</li>
 *   <li>{@code retries}, {@code retryBudgetDenied}, {@code attempts} (HTTP attempts): the SDK's counters;</li>
 *   <li>{@code goodputFullSolvesPerSec} = solved / duration, {@code throughputPerSec} = ok / duration,
 *       {@code sentPerSec}; {@code schedulerMaxLagMs} (how late the generator itself ever was),
 *       {@code elapsedS} (first due time to the end of the drain), {@code planIds} (distinct plan ids
 *       seen; written one per line to {@code --ids-out FILE}).</li>
 * </ul>
 */
public final class LoadBench {
    static final long MAX_LATENCY_MICROS = 60_000_000L;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    enum Mode { DISTINCT, REPEAT, MIXED }

    record Config(URI url, double rate, double durationS, Mode mode, double repeatShare, int repeatPool, long seed,
                  int minVessels, int maxVessels, long timeLimitMs, long connectTimeoutMs, long requestTimeoutMs,
                  boolean retries, Path idsOut, double drainS, boolean progress, String apiKey, double warmupS) {

        static Config parse(String[] args) {
            URI url = URI.create("http://127.0.0.1:8080");
            Double rate = null;
            Double duration = null;
            Mode mode = Mode.DISTINCT;
            double repeatShare = 0.5;
            int repeatPool = 5;
            long seed = 1;
            int minVessels = 8;
            int maxVessels = 40;
            long timeLimitMs = 1000;
            long connectTimeoutMs = 2000;
            long requestTimeoutMs = 30_000;
            boolean retries = true;
            Path idsOut = null;
            double drainS = 30;
            boolean progress = true;
            String apiKey = System.getenv("PORTOPT_API_KEY");
            double warmupS = 0;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--url" -> url = URI.create(value(args, ++i, a));
                    case "--rate" -> rate = Double.parseDouble(value(args, ++i, a));
                    case "--duration" -> duration = parseSeconds(value(args, ++i, a));
                    case "--mode" -> mode = Mode.valueOf(value(args, ++i, a).toUpperCase(Locale.ROOT));
                    case "--repeat-share" -> repeatShare = Double.parseDouble(value(args, ++i, a));
                    case "--repeat-pool" -> repeatPool = Integer.parseInt(value(args, ++i, a));
                    case "--seed" -> seed = Long.parseLong(value(args, ++i, a));
                    case "--vessels" -> {
                        String v = value(args, ++i, a);
                        int dash = v.indexOf('-');
                        minVessels = Integer.parseInt(dash < 0 ? v : v.substring(0, dash));
                        maxVessels = dash < 0 ? minVessels : Integer.parseInt(v.substring(dash + 1));
                    }
                    case "--time-limit-ms" -> timeLimitMs = Long.parseLong(value(args, ++i, a));
                    case "--connect-timeout-ms" -> connectTimeoutMs = Long.parseLong(value(args, ++i, a));
                    case "--request-timeout-ms" -> requestTimeoutMs = Long.parseLong(value(args, ++i, a));
                    case "--no-retries" -> retries = false;
                    case "--ids-out" -> idsOut = Path.of(value(args, ++i, a));
                    case "--drain-s" -> drainS = Double.parseDouble(value(args, ++i, a));
                    case "--quiet" -> progress = false;
                    case "--api-key" -> apiKey = value(args, ++i, a);
                    case "--warmup-s" -> warmupS = Double.parseDouble(value(args, ++i, a));
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (rate == null || !(rate > 0) || rate > 100_000) {
                throw new IllegalArgumentException("--rate R is required: requests per second, 0 < R <= 100000");
            }
            if (duration == null || !(duration > 0)) {
                throw new IllegalArgumentException("--duration S is required: seconds (or e.g. 90s, 2m), > 0");
            }
            if (!(repeatShare >= 0 && repeatShare <= 1)) {
                throw new IllegalArgumentException("--repeat-share must be between 0 and 1");
            }
            if (repeatPool < 1) {
                throw new IllegalArgumentException("--repeat-pool must be at least 1");
            }
            if (minVessels < 1 || maxVessels < minVessels) {
                throw new IllegalArgumentException("--vessels N or MIN-MAX, 1 <= MIN <= MAX");
            }
            if (timeLimitMs < 1 || connectTimeoutMs < 1 || requestTimeoutMs < 1 || !(drainS >= 0)) {
                throw new IllegalArgumentException("time limits and timeouts must be positive");
            }
            return new Config(url, rate, duration, mode, repeatShare, repeatPool, seed, minVessels, maxVessels,
                    timeLimitMs, connectTimeoutMs, requestTimeoutMs, retries, idsOut, drainS, progress, apiKey, warmupS);
        }

        private static double parseSeconds(String v) {
            String s = v.trim().toLowerCase(Locale.ROOT);
            if (s.endsWith("ms")) {
                return Double.parseDouble(s.substring(0, s.length() - 2)) / 1000;
            }
            if (s.endsWith("m")) {
                return Double.parseDouble(s.substring(0, s.length() - 1)) * 60;
            }
            if (s.endsWith("s")) {
                return Double.parseDouble(s.substring(0, s.length() - 1));
            }
            return Double.parseDouble(s);
        }

        private static String value(String[] args, int i, String flag) {
            if (i >= args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            return args[i];
        }
    }

    /**
     * Which body request {@code i} sends. Distinct problems use indexes 0, 1, 2, ...; the repeat pool
     * uses negative indexes, so the two never overlap; in mixed mode a seeded coin decides per request.
     */
    static final class Workload {
        private final Mode mode;
        private final double repeatShare;
        private final long seed;
        private final PlanRequestGenerator generator;
        private final byte[][] pool;

        Workload(Mode mode, double repeatShare, int repeatPool, long seed, PlanRequestGenerator generator) {
            this.mode = mode;
            this.repeatShare = mode == Mode.MIXED ? repeatShare : mode == Mode.REPEAT ? 1 : 0;
            this.seed = seed;
            this.generator = generator;
            if (mode == Mode.DISTINCT) {
                this.pool = new byte[0][];
            } else {
                this.pool = new byte[repeatPool][];
                for (int k = 0; k < repeatPool; k++) {
                    pool[k] = generator.request(-1 - k);
                }
            }
        }

        /** True when request {@code i} repeats a pooled problem. */
        boolean repeats(long i) {
            if (mode == Mode.DISTINCT) {
                return false;
            }
            if (mode == Mode.REPEAT) {
                return true;
            }
            double coin = (PlanRequestGenerator.mix(seed ^ 0x5DEECE66DL, i) >>> 11) * 0x1.0p-53;
            return coin < repeatShare;
        }

        byte[] body(long i) {
            return repeats(i) ? pool[(int) Math.floorMod(i, pool.length)] : generator.request(i);
        }
    }

    /** Counters and histograms of one run; record() is called from many virtual threads. */
    static final class Stats {
        final LongAdder sent = new LongAdder();
        final LongAdder ok = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder shed503 = new LongAdder();
        final LongAdder shed503WithoutRetryAfter = new LongAdder();
        final LongAdder requestTimeouts = new LongAdder();
        final LongAdder connectionErrors = new LongAdder();
        final LongAdder otherErrors = new LongAdder();
        final LongAdder unreadableBodies = new LongAdder();
        final LongAdder degraded = new LongAdder();
        final LongAdder clamped = new LongAdder();
        final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
        final Map<String, LongAdder> bySource = new ConcurrentHashMap<>();
        final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
        final Set<String> planIds = ConcurrentHashMap.newKeySet();
        final Histogram all = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
        final Histogram okLatency = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
        final Histogram shedLatency = new ConcurrentHistogram(MAX_LATENCY_MICROS, 3);
        final Recorder interval = new Recorder(MAX_LATENCY_MICROS, 3);

        long latency(long micros) {
            if (micros > MAX_LATENCY_MICROS) {
                clamped.increment();
                return MAX_LATENCY_MICROS;
            }
            return Math.max(0, micros);
        }

        void response(Response r, long micros) {
            long v = latency(micros);
            all.recordValue(v);
            interval.recordValue(v);
            byStatus.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
            if (r.status() / 100 == 2) {
                ok.increment();
                okLatency.recordValue(v);
                try {
                    JsonNode plan = JSON.readTree(r.body());
                    String id = plan.path("id").asString(null);
                    if (id != null) {
                        planIds.add(id);
                    }
                    JsonNode quality = plan.path("quality");
                    String source = quality.path("source").asString("unknown");
                    bySource.computeIfAbsent(source, s -> new LongAdder()).increment();
                    if (quality.path("degraded").asBoolean(false)) {
                        degraded.increment();
                    }
                } catch (RuntimeException e) {
                    unreadableBodies.increment();
                }
            } else {
                failed.increment();
                if (r.status() == 503) {
                    shed503.increment();
                    shedLatency.recordValue(v);
                    if (r.header("Retry-After") == null) {
                        shed503WithoutRetryAfter.increment();
                    }
                }
            }
        }

        void error(Throwable e, long micros) {
            long v = latency(micros);
            all.recordValue(v);
            interval.recordValue(v);
            if (e instanceof HttpTimeoutException && !(e instanceof HttpConnectTimeoutException)) {
                requestTimeouts.increment();
            } else if (e instanceof IOException) {
                connectionErrors.increment();
            } else {
                otherErrors.increment();
            }
            errorKinds.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
        }
    }

    private LoadBench() {
    }

    public static void main(String[] args) throws Exception {
        Config config;
        try {
            config = Config.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench load: " + e.getMessage());
            System.err.println("usage: portopt bench load --url U --rate R --duration S [--mode distinct|repeat|mixed]\n"
                    + "         [--repeat-share F] [--repeat-pool K] [--seed S] [--vessels N|MIN-MAX] [--time-limit-ms T]\n"
                    + "         [--connect-timeout-ms T] [--request-timeout-ms T] [--no-retries] [--ids-out FILE]\n"
                    + "         [--api-key KEY (default: $PORTOPT_API_KEY; ./portopt sets it from var/dev-api-key)]\n"
                    + "         [--drain-s S] [--warmup-s S (same load first, not counted: warms this JVM)] [--quiet]");
            System.exit(2);
            return;
        }
        if (config.warmupS() > 0) {
            // A fresh JVM's first seconds (class loading, JIT) would otherwise land in the tail.
            System.err.printf("bench load: warming up for %.0f s (not counted)%n", config.warmupS());
            run(new Config(config.url(), config.rate(), config.warmupS(), config.mode(), config.repeatShare(),
                    config.repeatPool(), config.seed(), config.minVessels(), config.maxVessels(), config.timeLimitMs(),
                    config.connectTimeoutMs(), config.requestTimeoutMs(), config.retries(), null, config.drainS(), false,
                    config.apiKey(), 0), new PrintStream(java.io.OutputStream.nullOutputStream()));
        }
        String summary = run(config, System.err);
        System.out.println(summary);
        System.out.flush();
        // Requests still running past the drain window were counted as timeouts; do not wait for them.
        System.exit(0);
    }

    /** Runs the load and returns the one-line JSON summary. */
    static String run(Config c, PrintStream log) throws Exception {
        PortoptClient client = PortoptClient.builder(c.url())
                .connectTimeout(Duration.ofMillis(c.connectTimeoutMs()))
                .requestTimeout(Duration.ofMillis(c.requestTimeoutMs()))
                .retryPolicy(c.retries() ? RetryPolicy.defaults() : RetryPolicy.none())
                .apiKey(c.apiKey())
                .build();
        Workload workload = new Workload(c.mode(), c.repeatShare(), c.repeatPool(), c.seed(),
                new PlanRequestGenerator(c.seed(), c.minVessels(), c.maxVessels(), c.timeLimitMs()));
        Stats stats = new Stats();
        Set<Long> inFlight = ConcurrentHashMap.newKeySet();
        ReentrantReadWriteLock closing = new ReentrantReadWriteLock();
        AtomicLong maxSchedulerLagNanos = new AtomicLong();

        long durationNanos = (long) (c.durationS() * 1e9);
        double periodNanos = 1e9 / c.rate();
        long start = System.nanoTime() + 20_000_000L;
        long end = start + durationNanos;

        Thread progress = null;
        if (c.progress()) {
            progress = Thread.ofPlatform().daemon().name("load-progress").start(() -> progress(stats, inFlight, client, start, log));
        }

        for (long i = 0; ; i++) {
            long intended = start + (long) (i * periodNanos);
            if (intended - end >= 0) {
                break;
            }
            long wait;
            while ((wait = intended - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            long lag = -wait;
            if (lag > maxSchedulerLagNanos.get()) {
                maxSchedulerLagNanos.set(lag);
            }
            long index = i;
            stats.sent.increment();
            inFlight.add(index);
            Thread.ofVirtual().start(() -> {
                Response response = null;
                Throwable error = null;
                try {
                    response = client.sendWithRetries("POST", "/v1/plans", workload.body(index));
                } catch (Throwable e) {
                    error = e;
                }
                long micros = (System.nanoTime() - intended) / 1000;
                closing.readLock().lock();
                try {
                    if (inFlight.remove(index)) {
                        if (response != null) {
                            stats.response(response, micros);
                        } else {
                            stats.error(error, micros);
                        }
                    }
                } finally {
                    closing.readLock().unlock();
                }
            });
        }
        long sendEnded = System.nanoTime();

        long drainDeadline = sendEnded + (long) (c.drainS() * 1e9);
        while (!inFlight.isEmpty() && System.nanoTime() - drainDeadline < 0) {
            Thread.sleep(10);
        }
        long stillRunning;
        closing.writeLock().lock();
        try {
            stillRunning = inFlight.size();
            inFlight.clear();
        } finally {
            closing.writeLock().unlock();
        }
        long finished = System.nanoTime();
        if (progress != null) {
            progress.interrupt();
            progress.join(2000);
        }

        List<String> ids = new ArrayList<>(stats.planIds);
        ids.sort(null);
        if (c.idsOut() != null) {
            Path parent = c.idsOut().toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(c.idsOut(), ids);
        }
        ObjectNode summary = summary(c, stats, client, stillRunning, maxSchedulerLagNanos.get(),
                (finished - start) / 1e9, ids.size());
        return JSON.writeValueAsString(summary);
    }

    private static void progress(Stats stats, Set<Long> inFlight, PortoptClient client, long start, PrintStream log) {
        Histogram interval = null;
        try {
            while (true) {
                Thread.sleep(1000);
                interval = stats.interval.getIntervalHistogram(interval);
                String p99 = interval.getTotalCount() == 0 ? "-"
                        : String.format(Locale.ROOT, "%.1f ms", interval.getValueAtPercentile(99) / 1000.0);
                log.printf(Locale.ROOT, "load %5.0fs  sent %d  ok %d  failed %d  errors %d  in flight %d  retries %d  p99(1s) %s%n",
                        (System.nanoTime() - start) / 1e9, stats.sent.sum(), stats.ok.sum(), stats.failed.sum(),
                        stats.connectionErrors.sum() + stats.requestTimeouts.sum() + stats.otherErrors.sum(),
                        inFlight.size(), client.retries(), p99);
            }
        } catch (InterruptedException done) {
            // run finished
        }
    }

    static ObjectNode summary(Config c, Stats s, PortoptClient client, long stillRunning, long maxLagNanos,
                              double elapsedS, int planIds) {
        ObjectNode o = JSON.createObjectNode();
        o.put("mode", c.mode().name().toLowerCase(Locale.ROOT));
        o.put("url", c.url().toString());
        o.put("rate", c.rate());
        o.put("durationS", c.durationS());
        o.put("retries", client.retries());
        o.put("retryBudgetDenied", client.retryBudgetDenied());
        o.put("retriesEnabled", c.retries());
        long sent = s.sent.sum();
        long ok = s.ok.sum();
        long solved = count(s.bySource, "solved");
        o.put("sent", sent);
        o.put("ok", ok);
        o.put("failed", s.failed.sum());
        ObjectNode failedByStatus = o.putObject("failedByStatus");
        new TreeMap<>(s.byStatus).forEach((status, n) -> {
            if (status / 100 != 2) {
                failedByStatus.put(String.valueOf(status), n.sum());
            }
        });
        o.put("timeouts", s.requestTimeouts.sum() + stillRunning);
        o.put("requestTimeouts", s.requestTimeouts.sum());
        o.put("stillRunningAtEnd", stillRunning);
        o.put("connectionErrors", s.connectionErrors.sum());
        o.put("otherErrors", s.otherErrors.sum());
        ObjectNode errorKinds = o.putObject("errorKinds");
        new TreeMap<>(s.errorKinds).forEach((k, n) -> errorKinds.put(k, n.sum()));
        o.put("shed503", s.shed503.sum());
        o.put("shed503WithoutRetryAfter", s.shed503WithoutRetryAfter.sum());
        ObjectNode byStatus = o.putObject("byStatus");
        new TreeMap<>(s.byStatus).forEach((status, n) -> byStatus.put(String.valueOf(status), n.sum()));
        ObjectNode bySource = o.putObject("bySource");
        for (String source : List.of("solved", "cache", "coalesced", "approximate", "heuristic", "replay")) {
            bySource.put(source, count(s.bySource, source));
        }
        new TreeMap<>(s.bySource).forEach((k, n) -> {
            if (!bySource.has(k)) {
                bySource.put(k, n.sum());
            }
        });
        o.put("degraded", s.degraded.sum());
        o.put("unreadableBodies", s.unreadableBodies.sum());
        o.set("latencyMs", percentiles(s.all));
        o.set("okLatencyMs", percentiles(s.okLatency));
        if (s.shedLatency.getTotalCount() > 0) {
            o.set("shed503LatencyMs", percentiles(s.shedLatency));
        }
        o.put("latencyClamped", s.clamped.sum());
        o.put("goodputFullSolvesPerSec", round(solved / c.durationS()));
        o.put("throughputPerSec", round(ok / c.durationS()));
        o.put("sentPerSec", round(sent / c.durationS()));
        o.put("attempts", client.attempts());
        o.put("schedulerMaxLagMs", round(maxLagNanos / 1e6));
        o.put("elapsedS", round(elapsedS));
        o.put("planIds", planIds);
        return o;
    }

    private static long count(Map<String, LongAdder> map, String key) {
        LongAdder n = map.get(key);
        return n == null ? 0 : n.sum();
    }

    private static ObjectNode percentiles(Histogram h) {
        ObjectNode o = JSON.createObjectNode();
        o.put("count", h.getTotalCount());
        if (h.getTotalCount() == 0) {
            return o;
        }
        o.put("p50", ms(h.getValueAtPercentile(50)));
        o.put("p90", ms(h.getValueAtPercentile(90)));
        o.put("p99", ms(h.getValueAtPercentile(99)));
        o.put("p999", ms(h.getValueAtPercentile(99.9)));
        o.put("max", ms(h.getMaxValue()));
        o.put("mean", round(h.getMean() / 1000.0));
        return o;
    }

    private static double ms(long micros) {
        return round(micros / 1000.0);
    }

    private static double round(double x) {
        return Math.round(x * 1000) / 1000.0;
    }
}
