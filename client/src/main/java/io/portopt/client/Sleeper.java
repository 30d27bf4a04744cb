package io.portopt.client;

import java.time.Duration;

/** Waits between retries; replaceable so tests can record the delays instead of sleeping. */
@FunctionalInterface
public interface Sleeper {
    Sleeper SYSTEM = delay -> {
        if (delay.isPositive()) {
            Thread.sleep(delay);
        }
    };

    void sleep(Duration delay) throws InterruptedException;
}
