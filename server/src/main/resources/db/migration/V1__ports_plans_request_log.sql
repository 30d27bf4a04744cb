-- Port constraint data: one row per port, its berths, their closures and the port's tidal windows.
CREATE TABLE port (
    code                    text PRIMARY KEY,
    name                    text,
    tide_draft_threshold_m  double precision,
    version                 bigint      NOT NULL DEFAULT 1,
    updated_at              timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE berth (
    port_code   text    NOT NULL REFERENCES port (code) ON DELETE CASCADE,
    id          text    NOT NULL,
    position    integer NOT NULL,
    length_m    double precision,
    depth_m     double precision,
    opens_at    timestamptz,
    closes_at   timestamptz,
    PRIMARY KEY (port_code, id)
);

CREATE TABLE berth_closure (
    port_code   text        NOT NULL,
    berth_id    text        NOT NULL,
    from_at     timestamptz NOT NULL,
    to_at       timestamptz NOT NULL,
    FOREIGN KEY (port_code, berth_id) REFERENCES berth (port_code, id) ON DELETE CASCADE
);
CREATE INDEX berth_closure_berth ON berth_closure (port_code, berth_id);

CREATE TABLE tide_window (
    port_code   text        NOT NULL REFERENCES port (code) ON DELETE CASCADE,
    from_at     timestamptz NOT NULL,
    to_at       timestamptz NOT NULL
);
CREATE INDEX tide_window_port ON tide_window (port_code);

-- Finished plans: the response body as served (json keeps the text as written), keyed by id;
-- the fingerprint is the canonical key of the normalised request that produced it.
CREATE TABLE plan (
    id            uuid PRIMARY KEY,
    fingerprint   text        NOT NULL,
    port_code     text,
    source        text        NOT NULL,
    vessels       integer     NOT NULL,
    objective     double precision NOT NULL,
    solve_millis  bigint      NOT NULL,
    body          json        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_fingerprint ON plan (fingerprint);

-- One row per API request, written in batches off the request path.
CREATE TABLE request_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL,
    method       text        NOT NULL,
    path         text        NOT NULL,
    status       integer     NOT NULL,
    millis       double precision NOT NULL,
    cache_status text,
    server       text
);
CREATE INDEX request_log_at ON request_log (at);
