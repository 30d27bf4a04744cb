package io.portopt.server.admission;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Solver capacity of one server. {@code solverThreads} 0 means one per core: more solvers than
 * cores only make every solve slower. {@code answerSlack}: a plan request is answered within its time
 * limit plus this, counted from when the load balancer received it (queue waits, coalescing and the
 * degraded rungs all fit in it); the load balancer waits for a server a little longer, then retries.
 */
@ConfigurationProperties("portopt.admission")
public record AdmissionProperties(
        @DefaultValue("0") int solverThreads,
        @DefaultValue("1s") Duration maxQueueWait,
        @DefaultValue("1") int heuristicThreads,
        @DefaultValue("64") int heuristicSlots,
        @DefaultValue("200ms") Duration heuristicWait,
        @DefaultValue("1200ms") Duration answerSlack) {

    public int effectiveSolverThreads() {
        return solverThreads > 0 ? solverThreads : Runtime.getRuntime().availableProcessors();
    }
}
