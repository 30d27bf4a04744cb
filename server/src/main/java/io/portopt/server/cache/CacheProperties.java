package io.portopt.server.cache;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/** The two cache tiers. An empty {@code redisUrl} runs with the local tier only. */
@ConfigurationProperties("portopt.cache")
public record CacheProperties(
        @DefaultValue("") String redisUrl,
        @DefaultValue("200ms") Duration redisTimeout,
        @DefaultValue("20000") long localPlanEntries,
        @DefaultValue("30m") Duration localPlanTtl,
        @DefaultValue("6h") Duration sharedPlanTtl,
        @DefaultValue("1000") long localPortEntries,
        @DefaultValue("10m") Duration portTtl,
        @DefaultValue("") String redisAddressMap) {
}
