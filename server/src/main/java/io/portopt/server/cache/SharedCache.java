package io.portopt.server.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.event.connection.ConnectedEvent;
import io.lettuce.core.internal.HostAndPort;
import io.lettuce.core.masterreplica.MasterReplica;
import io.lettuce.core.resource.MappingSocketAddressResolver;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.system.BreakerConfig;
import io.portopt.server.system.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The shared (L2) tier in Redis, through Lettuce. Every call is bounded by a short timeout and a
 * failure is a miss, never an error: Redis down means slower, not failing. Also carries cluster-wide
 * invalidation messages over pub/sub; listeners are told to flush on every (re)connect, since
 * messages sent while disconnected are lost.
 */
@Component
public class SharedCache implements DisposableBean {
    public static final String INVALIDATION_CHANNEL = "portopt:invalidate";
    private static final Logger log = LoggerFactory.getLogger(SharedCache.class);

    private final RedisClient client;
    private RedisURI uri;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile boolean closed;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final Counter errors;
    private final CircuitBreaker breaker;
    private volatile boolean up;

    public SharedCache(CacheProperties properties, MeterRegistry registry) {
        this(properties, registry, CircuitBreakerRegistry.ofDefaults());
    }

    @org.springframework.beans.factory.annotation.Autowired
    public SharedCache(CacheProperties properties, MeterRegistry registry, CircuitBreakerRegistry breakers) {
        this.breaker = breakers.circuitBreaker(BreakerConfig.REDIS);
        this.errors = Counter.builder(MetricNames.CACHE_ERRORS).tag("tier", "redis")
                .description("Redis calls that failed or timed out (answered as misses)").register(registry);
        Gauge.builder(MetricNames.DEPENDENCY_UP, this, c -> c.isAvailable() ? 1 : 0).tag("dependency", "redis")
                .description("1 when the dependency answers").register(registry);
        if (properties.redisUrl() == null || properties.redisUrl().isBlank()) {
            client = null;
            log.info("No Redis configured: plan and port caches are local to this server");
            return;
        }
        RedisURI uri = RedisURI.create(properties.redisUrl());
        uri.setTimeout(properties.redisTimeout());
        this.uri = uri;
        client = RedisClient.create(clientResources(properties.redisAddressMap()), uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofMillis(500)).build())
                .timeoutOptions(TimeoutOptions.enabled(properties.redisTimeout()))
                .build());
        client.getResources().eventBus().get().subscribe(event -> {
            if (event instanceof ConnectedEvent) {
                reconnectListeners.forEach(Runnable::run);
            }
        });
        if (!connect()) {
            log.warn("Redis at {}:{} not reachable at startup; running on the local tier and retrying",
                    uri.getHost(), uri.getPort());
            Thread.ofVirtual().name("redis-connect").start(this::connectUntilUp);
        }
    }

    /**
     * Lettuce's client resources; with an address map (host:port=host:port,...) every address Lettuce
     * is given, Sentinel's answers included, is translated first: Sentinel names a master by its
     * own address, and a server may have to reach it by another (its network link).
     */
    public static io.lettuce.core.resource.ClientResources clientResources(String addressMap) {
        var resources = io.lettuce.core.resource.ClientResources.builder();
        java.util.Map<HostAndPort, HostAndPort> map = parseAddressMap(addressMap);
        if (!map.isEmpty()) {
            resources.socketAddressResolver(MappingSocketAddressResolver.create(
                    io.lettuce.core.resource.DnsResolvers.UNRESOLVED, a -> map.getOrDefault(a, a)));
        }
        return resources.build();
    }

    static java.util.Map<HostAndPort, HostAndPort> parseAddressMap(String addressMap) {
        java.util.Map<HostAndPort, HostAndPort> map = new java.util.HashMap<>();
        if (addressMap == null || addressMap.isBlank()) {
            return map;
        }
        for (String entry : addressMap.split(",")) {
            String[] pair = entry.trim().split("=");
            if (pair.length != 2) {
                throw new IllegalArgumentException("portopt.cache.redis-address-map: expected host:port=host:port, got '" + entry + "'");
            }
            map.put(HostAndPort.parse(pair[0].trim()), HostAndPort.parse(pair[1].trim()));
        }
        return map;
    }

    private boolean connect() {
        try {
            RedisCodec<String, byte[]> codec = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
            // Behind Sentinel, a master/replica connection: Lettuce listens to the Sentinels and sends
            // commands to whichever node is master now, also after a master that was only frozen
            // comes back demoted (a plain connection would stay on it and read READONLY errors).
            StatefulRedisConnection<String, byte[]> c = uri.getSentinels().isEmpty()
                    ? client.connect(codec)
                    : MasterReplica.connect(client, codec, uri);
            StatefulRedisPubSubConnection<String, String> ps = client.connectPubSub();
            ps.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    listeners.forEach(l -> l.accept(message));
                }
            });
            ps.sync().subscribe(INVALIDATION_CHANNEL);
            connection = c;
            pubSub = ps;
            up = true;
            reconnectListeners.forEach(Runnable::run);
            log.info("Redis shared cache connected");
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void connectUntilUp() {
        while (!closed && !connect()) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }


    public boolean isAvailable() {
        return connection != null && connection.isOpen();
    }

    public byte[] get(String key) {
        return guarded("GET", () -> connection.sync().get(key), null);
    }

    /**
     * Starts a GET without waiting for it, so the caller can overlap the round trip with other work.
     * The future never fails: it completes with null for a miss or when Redis could not be asked.
     */
    public java.util.concurrent.CompletableFuture<byte[]> getAsync(String key) {
        if (!isAvailable() || !breaker.tryAcquirePermission()) {
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        long start = System.nanoTime();
        try {
            return connection.async().get(key).toCompletableFuture().handle((value, e) -> {
                long took = System.nanoTime() - start;
                if (e == null) {
                    breaker.onSuccess(took, java.util.concurrent.TimeUnit.NANOSECONDS);
                    return value;
                }
                breaker.onError(took, java.util.concurrent.TimeUnit.NANOSECONDS, e);
                failed("GET", e instanceof RuntimeException r ? r : new IllegalStateException(e));
                return null;
            });
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS, e);
            failed("GET", e);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /** SET NX with a time to live, without waiting for the reply. */
    public void setIfAbsentAsync(String key, byte[] value, Duration ttl) {
        guarded("SETNX", () -> connection.async().set(key, value, SetArgs.Builder.nx().px(ttl.toMillis())), null);
    }

    public void set(String key, byte[] value, Duration ttl) {
        guarded("SET", () -> connection.async().set(key, value, SetArgs.Builder.px(ttl.toMillis())), null);
    }

    /**
     * SET NX with a time to live: TRUE when this call created the key, FALSE when it existed, null
     * when Redis could not be asked (down, breaker open, timeout).
     */
    public Boolean setIfAbsent(String key, byte[] value, Duration ttl) {
        String missing = "missing";
        String reply = guarded("SETNX", () -> {
            String r = connection.sync().set(key, value, SetArgs.Builder.nx().px(ttl.toMillis()));
            return r == null ? missing : r;
        }, null);
        return reply == null ? null : "OK".equals(reply);
    }

    /**
     * Runs a Lua script on one key with string arguments; its reply as Lettuce decodes it, or null
     * when Redis could not be asked.
     */
    public java.util.List<Object> eval(String script, String key, String... args) {
        byte[][] values = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            values[i] = args[i].getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return guarded("EVAL", () -> connection.sync().<java.util.List<Object>>eval(script,
                io.lettuce.core.ScriptOutputType.MULTI, new String[] {key}, values), null);
    }

    public void delete(String key) {
        guarded("DEL", () -> connection.sync().del(key), null);
    }

    /** Tells every server (including this one) to drop a local entry. */
    public void publishInvalidation(String message) {
        guarded("PUBLISH", () -> connection.sync().publish(INVALIDATION_CHANNEL,
                message.getBytes(java.nio.charset.StandardCharsets.UTF_8)), null);
    }

    /**
     * Runs a Redis call behind the breaker: when Redis is not connected or the breaker is open the
     * call is skipped; a failure or timeout is counted and answered with the fallback.
     */
    private <T> T guarded(String command, Supplier<T> call, T fallback) {
        if (!isAvailable() || !breaker.tryAcquirePermission()) {
            return fallback;
        }
        long start = System.nanoTime();
        try {
            T result = call.get();
            breaker.onSuccess(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
            return result;
        } catch (RuntimeException e) {
            breaker.onError(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS, e);
            failed(command, e);
            return fallback;
        }
    }

    public void onInvalidation(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Called after every (re)connect: local entries may have missed invalidations meanwhile. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    private void failed(String command, RuntimeException e) {
        errors.increment();
        if (up) {
            log.warn("Redis {} failed: {}", command, e.getMessage());
        }
    }

    @Override
    public void destroy() {
        closed = true;
        if (pubSub != null) {
            pubSub.close();
        }
        if (connection != null) {
            connection.close();
        }
        if (client != null) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
