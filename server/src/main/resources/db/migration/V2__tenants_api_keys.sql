-- Tenants and their API keys. A key is shown once at creation; only its SHA-256 is stored (the key
-- carries 256 random bits, so a fast hash is enough: there is nothing to brute-force).
CREATE TABLE tenant (
    id                text PRIMARY KEY,
    rate_per_second   double precision,            -- requests per second; NULL = not limited
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_key (
    id          text PRIMARY KEY,                   -- public part of the key, safe to show and log
    tenant_id   text        NOT NULL REFERENCES tenant (id),
    key_hash    bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX api_key_tenant ON api_key (tenant_id);

-- Data written before tenants existed belongs to the development tenant.
INSERT INTO tenant (id) VALUES ('dev');

-- Ports belong to a tenant: the same code may exist once per tenant.
ALTER TABLE berth_closure DROP CONSTRAINT berth_closure_port_code_berth_id_fkey;
ALTER TABLE berth DROP CONSTRAINT berth_port_code_fkey;
ALTER TABLE tide_window DROP CONSTRAINT tide_window_port_code_fkey;
ALTER TABLE berth DROP CONSTRAINT berth_pkey;
ALTER TABLE port DROP CONSTRAINT port_pkey;

ALTER TABLE port ADD COLUMN tenant_id text NOT NULL DEFAULT 'dev' REFERENCES tenant (id);
ALTER TABLE berth ADD COLUMN tenant_id text NOT NULL DEFAULT 'dev';
ALTER TABLE berth_closure ADD COLUMN tenant_id text NOT NULL DEFAULT 'dev';
ALTER TABLE tide_window ADD COLUMN tenant_id text NOT NULL DEFAULT 'dev';
ALTER TABLE port ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE berth ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE berth_closure ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE tide_window ALTER COLUMN tenant_id DROP DEFAULT;

ALTER TABLE port ADD PRIMARY KEY (tenant_id, code);
ALTER TABLE berth ADD PRIMARY KEY (tenant_id, port_code, id);
ALTER TABLE berth ADD FOREIGN KEY (tenant_id, port_code) REFERENCES port (tenant_id, code) ON DELETE CASCADE;
ALTER TABLE berth_closure ADD FOREIGN KEY (tenant_id, port_code, berth_id)
    REFERENCES berth (tenant_id, port_code, id) ON DELETE CASCADE;
ALTER TABLE tide_window ADD FOREIGN KEY (tenant_id, port_code) REFERENCES port (tenant_id, code) ON DELETE CASCADE;
DROP INDEX berth_closure_berth;
DROP INDEX tide_window_port;
CREATE INDEX berth_closure_berth ON berth_closure (tenant_id, port_code, berth_id);
CREATE INDEX tide_window_port ON tide_window (tenant_id, port_code);

-- Plans belong to a tenant; another tenant's plan is "not found".
ALTER TABLE plan ADD COLUMN tenant_id text NOT NULL DEFAULT 'dev';
ALTER TABLE plan ALTER COLUMN tenant_id DROP DEFAULT;

ALTER TABLE request_log ADD COLUMN tenant_id text;
ALTER TABLE request_log ADD COLUMN request_id text;
