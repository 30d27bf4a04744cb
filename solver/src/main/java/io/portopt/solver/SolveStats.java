package io.portopt.solver;

import java.util.List;

/**
 * What a solve did: the construction it started from, how long each phase took, how many search
 * steps ran and the best-so-far trace ({@code [millis since start, objective]} pairs).
 */
public record SolveStats(double constructionObjective, int constructionAssigned, long constructionMicros,
                         long totalMillis, long steps, List<double[]> bestSoFar) {
    public SolveStats {
        bestSoFar = List.copyOf(bestSoFar);
    }

    public double stepsPerSecond() {
        return totalMillis == 0 ? 0 : steps * 1000.0 / totalMillis;
    }
}
