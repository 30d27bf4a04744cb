-- A plan keeps the request it answers (berths and tide resolved inline, as the solver saw them), so
-- that any server can replan it later; NULL for plans stored before replanning existed.
ALTER TABLE plan ADD COLUMN request json;
ALTER TABLE plan ADD COLUMN based_on uuid;

-- Asynchronous solver jobs: a queue claimed with FOR UPDATE SKIP LOCKED. A running job is held by a
-- lease that its server renews (heartbeat); when the lease runs out, any server may claim the job
-- again and resumes it from the checkpoint (the best plan so far) with the budget that is left.
CREATE TABLE job (
    id               uuid PRIMARY KEY,
    tenant_id        text        NOT NULL REFERENCES tenant (id),
    idempotency_key  text,
    fingerprint      text        NOT NULL,   -- of the resolved request: a reused Idempotency-Key must name the same job
    state            text        NOT NULL CHECK (state IN ('queued', 'running', 'done', 'cancelled', 'failed')),
    request          json        NOT NULL,   -- the resolved plan request (berths and tide inline)
    port_code        text,
    time_limit_ms    bigint      NOT NULL,
    seed             bigint      NOT NULL,
    callback_url     text,
    cancel_requested boolean     NOT NULL DEFAULT false,
    lease_owner      text,
    lease_until      timestamptz,
    attempts         integer     NOT NULL DEFAULT 0,   -- how many times a server claimed it
    solved_ms        bigint      NOT NULL DEFAULT 0,   -- solver budget used so far (checkpointed)
    best_objective   double precision,                 -- weighted turnaround minutes of the best plan
    best_assigned    integer,
    best_plan_id     uuid,                             -- the checkpoint: a stored plan
    checkpoint       text,                             -- its assignments (vessel, berth, start) for a warm start
    error            text,
    callback_state   text CHECK (callback_state IN ('pending', 'delivered', 'failed')),
    callback_attempts integer    NOT NULL DEFAULT 0,
    callback_next_at timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    finished_at      timestamptz,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX job_idempotency ON job (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- The claim scans only jobs that may need a server.
CREATE INDEX job_claimable ON job (created_at) WHERE state IN ('queued', 'running');
CREATE INDEX job_tenant_active ON job (tenant_id) WHERE state IN ('queued', 'running');
CREATE INDEX job_callbacks ON job (callback_next_at) WHERE callback_state = 'pending';
