package io.portopt.server.plan;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/** Knobs of the degradation ladder above the solver pool. */
@ConfigurationProperties("portopt.ladder")
public record LadderProperties(
        @DefaultValue("4h") Duration approximateQuantum,
        @DefaultValue("6h") Duration approximateTtl,
        @DefaultValue("24h") Duration idempotencyTtl,
        @DefaultValue("500ms") Duration coalesceGrace,
        @DefaultValue("50ms") Duration coalescePoll) {
}
