package io.portopt.server.admission;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Solver capacity of one server. {@code solverThreads} 0 means one per core: more solvers than
 * cores only make every solve slower.
 */
@ConfigurationProperties("portopt.admission")
public record AdmissionProperties(
        @DefaultValue("0") int solverThreads,
        @DefaultValue("1s") Duration maxQueueWait,
        @DefaultValue("1") int heuristicThreads,
        @DefaultValue("64") int heuristicSlots,
        @DefaultValue("200ms") Duration heuristicWait) {

    public int effectiveSolverThreads() {
        return solverThreads > 0 ? solverThreads : Runtime.getRuntime().availableProcessors();
    }
}
