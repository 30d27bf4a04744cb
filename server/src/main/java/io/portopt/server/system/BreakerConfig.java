package io.portopt.server.system;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Duration;

/**
 * Circuit breakers around Redis and PostgreSQL. Once a dependency fails most calls, callers skip it
 * for a few seconds (a cache miss, a buffered write) instead of paying a timeout on every request;
 * a few trial calls then decide whether it is back. States are exported as
 * {@code resilience4j_circuitbreaker_state}.
 */
@Configuration(proxyBeanMethods = false)
public class BreakerConfig {
    public static final String REDIS = "redis";
    public static final String POSTGRES = "postgres";
    static final Duration OPEN_FOR = Duration.ofSeconds(3);

    @Bean
    public CircuitBreakerRegistry circuitBreakers(MeterRegistry meters) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(20)
                .minimumNumberOfCalls(5)
                .failureRateThreshold(50)
                .slowCallDurationThreshold(Duration.ofMillis(500))
                .slowCallRateThreshold(80)
                .waitDurationInOpenState(OPEN_FOR)
                .permittedNumberOfCallsInHalfOpenState(2)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
        registry.circuitBreaker(REDIS);
        registry.circuitBreaker(POSTGRES);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry;
    }
}
