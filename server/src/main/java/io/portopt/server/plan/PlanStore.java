package io.portopt.server.plan;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portopt.server.cache.SharedCache;
import io.portopt.server.db.ReadRouting;
import io.portopt.server.system.ApiException;
import io.portopt.server.system.BreakerConfig;
import io.portopt.server.system.MetricNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Keeps every plan id it hands out readable. A plan goes to PostgreSQL at once; when that fails it
 * waits in a bounded write-behind buffer that a background writer drains once the database is back,
 * while its body stays readable from the local and Redis tiers. When the buffer is full the store
 * refuses the plan (the request is shed) rather than hand out an id it might lose.
 */
@Component
public class PlanStore implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(PlanStore.class);
    private static final String BODY_KEY = "portopt:plan-body:";
    private static final String REQUEST_KEY = "portopt:plan-request:";

    private final PlanRepository repository;
    private final ReadRouting reads;
    private final SharedCache shared;
    private final PlanStoreProperties properties;
    private final BlockingQueue<PlanRecord> backlog;
    private final Cache<String, byte[]> recent;
    private final Counter dropped;
    private final Thread writer;
    private final CircuitBreaker breaker;
    private volatile boolean running = true;

    public PlanStore(PlanRepository repository, ReadRouting reads, SharedCache shared, PlanStoreProperties properties,
                     MeterRegistry registry, CircuitBreakerRegistry breakers) {
        this.breaker = breakers.circuitBreaker(BreakerConfig.POSTGRES);
        this.repository = repository;
        this.reads = reads;
        this.shared = shared;
        this.properties = properties;
        this.backlog = new ArrayBlockingQueue<>(properties.writeBehindCapacity());
        this.recent = Caffeine.newBuilder().maximumSize(properties.recentBodies()).build();
        this.dropped = Counter.builder(MetricNames.WRITE_BEHIND_DROPPED)
                .description("Plans refused because the write-behind buffer was full").register(registry);
        Gauge.builder(MetricNames.WRITE_BEHIND_BACKLOG, backlog, BlockingQueue::size)
                .description("Plans waiting to be written to PostgreSQL").register(registry);
        this.writer = Thread.ofVirtual().name("plan-write-behind").start(this::drain);
    }

    /** Persists a plan or queues it; throws a 503 when neither is possible. */
    public void save(PlanRecord plan) {
        String key = bodyKey(plan.tenant(), plan.id());
        recent.put(key, plan.body());
        shared.set(BODY_KEY + key, plan.body(), properties.sharedBodyTtl());
        if (plan.request() != null) {
            // Kept where the body is, so a plan answered while PostgreSQL is down can be replanned too.
            shared.set(REQUEST_KEY + key, plan.request(), properties.sharedBodyTtl());
        }
        // While plans are buffered (or the breaker is open) new ones queue behind them: no request
        // waits on a database that is known to be down, and plans are written in order.
        if (backlog.isEmpty() && breaker.tryAcquirePermission()) {
            long start = System.nanoTime();
            try {
                repository.insert(plan);
                breaker.onSuccess(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                return;
            } catch (DataAccessException e) {
                breaker.onError(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS, e);
                log.warn("PostgreSQL write failed ({}); plan {} goes to the write-behind buffer", rootMessage(e), plan.id());
            }
        }
        if (!backlog.offer(plan)) {
            dropped.increment();
            recent.invalidate(key);
            throw ApiException.unavailable("the database is unavailable and the write-behind buffer is full", 5);
        }
    }

    /** Bodies are kept per tenant: another tenant's plan id is simply not found. */
    private static String bodyKey(String tenant, String id) {
        return tenant + "/" + id;
    }

    /** The body when this server holds it in memory; no I/O. Ids are compared as given (lower-case UUIDs). */
    byte[] findInMemory(String tenant, String id) {
        return recent.getIfPresent(bodyKey(tenant, id));
    }

    public Optional<byte[]> find(String tenant, UUID id) {
        String key = bodyKey(tenant, id.toString());
        byte[] body = recent.getIfPresent(key);
        if (body != null) {
            return Optional.of(body);
        }
        // Plans never change once stored, so whatever is found is kept locally for the next read.
        Optional<byte[]> found;
        try {
            found = reads.read(db -> PlanRepository.findBody(db, tenant, id));
            if (found.isEmpty()) {
                found = Optional.ofNullable(shared.get(BODY_KEY + key));
            }
        } catch (DataAccessException e) {
            found = Optional.ofNullable(shared.get(BODY_KEY + key));
            if (found.isEmpty()) {
                throw ApiException.unavailable("plans cannot be read right now", 2);
            }
        }
        found.ifPresent(b -> recent.put(key, b));
        return found;
    }

    /**
     * The request a plan answers, for a replan; empty when the plan is unknown (or another tenant's),
     * or was stored before plans kept their requests.
     */
    public Optional<byte[]> findRequest(String tenant, UUID id) {
        String key = bodyKey(tenant, id.toString());
        try {
            Optional<byte[]> found = reads.read(db -> PlanRepository.findRequest(db, tenant, id));
            return found.isPresent() ? found : Optional.ofNullable(shared.get(REQUEST_KEY + key));
        } catch (DataAccessException e) {
            Optional<byte[]> found = Optional.ofNullable(shared.get(REQUEST_KEY + key));
            if (found.isEmpty()) {
                throw ApiException.unavailable("plans cannot be read right now", 2);
            }
            return found;
        }
    }

    public int backlog() {
        return backlog.size();
    }

    private void drain() {
        while (running) {
            PlanRecord next = backlog.peek();
            if (next == null) {
                sleep(properties.retryInterval().toMillis() / 4);
                continue;
            }
            try {
                repository.insert(next);
                backlog.poll();
            } catch (DataAccessException e) {
                sleep(properties.retryInterval().toMillis());
            } catch (RuntimeException e) {
                log.error("Dropping unwritable plan {}: {}", next.id(), e.getMessage());
                backlog.poll();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(10, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }

    /** On shutdown, tries once more to write what is buffered. */
    @Override
    public void destroy() {
        running = false;
        writer.interrupt();
        PlanRecord next;
        int left = 0;
        while ((next = backlog.poll()) != null) {
            try {
                repository.insert(next);
            } catch (RuntimeException e) {
                left++;
            }
        }
        if (left > 0) {
            log.error("{} plans could not be written to PostgreSQL before shutdown; their bodies remain in Redis", left);
        }
    }
}
