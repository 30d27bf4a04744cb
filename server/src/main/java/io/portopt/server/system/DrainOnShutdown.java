package io.portopt.server.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;

/**
 * First step of a graceful shutdown: report not-ready and keep serving for a moment, so the load
 * balancer's health checks take this server out before the web server stops accepting connections.
 * Runs before the web server's own graceful shutdown (higher phase stops first).
 */
@Component
public class DrainOnShutdown implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(DrainOnShutdown.class);
    private final ApplicationEventPublisher events;
    private final Duration delay;
    private volatile boolean running;
    private volatile boolean stoppedBefore;

    public DrainOnShutdown(ApplicationEventPublisher events, @Value("${portopt.drain-delay:2500ms}") Duration delay) {
        this.events = events;
        this.delay = delay;
    }

    @Override
    public void start() {
        // A context can be stopped and started again (the test framework pauses idle contexts):
        // once restarted it serves again. The first start leaves readiness to Spring Boot, which
        // turns it on when the application is ready.
        if (stoppedBefore) {
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
        running = true;
    }

    @Override
    public void stop() {
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        log.info("Draining: readiness is down; serving for {} ms more before closing connections", delay.toMillis());
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        running = false;
        stoppedBefore = true;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
