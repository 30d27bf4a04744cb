package io.portopt.client;

/**
 * One Server-Sent Event of a job's stream: {@code name} is {@code snapshot} (the first, the job as
 * it was on connecting), {@code improvement}, or the final state ({@code done}, {@code cancelled},
 * {@code failed}).
 */
public record JobEvent(String name, String id, Job job) {
    public boolean last() {
        return job.finished();
    }
}
