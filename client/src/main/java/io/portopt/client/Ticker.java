package io.portopt.client;

/**
 * A monotonic time source in nanoseconds (like {@link System#nanoTime()}), used for the total-time
 * cap on retries; replaceable so tests can run on a fake clock.
 */
@FunctionalInterface
public interface Ticker {
    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
