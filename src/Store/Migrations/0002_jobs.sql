-- Scripts and the job queue (spec 6.2, v2 schema shapes). PostgreSQL is the source of truth;
-- RabbitMQ only carries "job X is ready" messages.

CREATE TABLE script (
    workspace_id  varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    hash          bigint NOT NULL,
    path          varchar(255) NOT NULL CHECK (path ~ '^[ufg](/[\w-]+){2,}$'),
    parent_hashes bigint[],
    summary       text NOT NULL DEFAULT '',
    description   text NOT NULL DEFAULT '',
    content       text NOT NULL,
    created_by    varchar(255) NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    archived      boolean NOT NULL DEFAULT false,
    deleted       boolean NOT NULL DEFAULT false,
    schema        jsonb,
    extra_perms   jsonb NOT NULL DEFAULT '{}',
    lock          text,
    language      varchar(50) NOT NULL,
    kind          varchar(20) NOT NULL DEFAULT 'script',
    tag           varchar(255),
    timeout       integer,
    priority      smallint CHECK (priority BETWEEN 0 AND 100),
    PRIMARY KEY (workspace_id, hash)
);
-- At most one live (not archived, not deleted) version per path: the latest.
CREATE UNIQUE INDEX script_live_path ON script (workspace_id, path) WHERE NOT archived AND NOT deleted;
CREATE INDEX script_by_path ON script (workspace_id, path, created_at DESC);

-- Immutable definition, kept after completion.
CREATE TABLE v2_job (
    id                       uuid PRIMARY KEY,
    workspace_id             varchar(50) NOT NULL,
    created_at               timestamptz NOT NULL DEFAULT now(),
    created_by               varchar(255) NOT NULL,
    permissioned_as          varchar(255) NOT NULL DEFAULT 'g/all',
    permissioned_as_email    varchar(255) NOT NULL DEFAULT '',
    kind                     varchar(30) NOT NULL,
    runnable_id              bigint,
    runnable_path            varchar(255),
    parent_job               uuid,
    root_job                 uuid,
    flow_innermost_root_job  uuid,
    flow_step                integer,
    flow_step_id             varchar(255),
    script_lang              varchar(50),
    raw_code                 text,
    raw_flow                 jsonb,
    args                     jsonb,
    tag                      varchar(255) NOT NULL DEFAULT 'other',
    trigger                  varchar(255),
    trigger_kind             varchar(30),
    same_worker              boolean NOT NULL DEFAULT false,
    visible_to_owner         boolean NOT NULL DEFAULT true,
    timeout                  integer,
    priority                 smallint,
    labels                   text[]
);
CREATE INDEX v2_job_by_workspace ON v2_job (workspace_id, created_at DESC);
CREATE INDEX v2_job_by_parent ON v2_job (parent_job) WHERE parent_job IS NOT NULL;
CREATE INDEX v2_job_by_path ON v2_job (workspace_id, runnable_path, created_at DESC);

-- One row while queued or running. claim_id marks the current run: only its holder may complete it.
CREATE TABLE v2_job_queue (
    id               uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    workspace_id     varchar(50) NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    started_at       timestamptz,
    scheduled_for    timestamptz NOT NULL,
    running          boolean NOT NULL DEFAULT false,
    canceled_by      varchar(255),
    canceled_reason  text,
    suspend          integer NOT NULL DEFAULT 0,
    suspend_until    timestamptz,
    tag              varchar(255) NOT NULL,
    priority         smallint,
    worker           varchar(255),
    claim_id         uuid,
    dispatched_at    timestamptz,
    -- Someone waits on this job (run_wait_result): completion sends a NOTIFY. Only then, because
    -- PostgreSQL serializes notifying commits on one lock.
    notify_completion boolean NOT NULL DEFAULT false,
    extras           jsonb
);
CREATE INDEX v2_job_queue_waiting ON v2_job_queue (scheduled_for) WHERE running = false;
CREATE INDEX v2_job_queue_running ON v2_job_queue (workspace_id) WHERE running = true;

CREATE TABLE v2_job_runtime (
    id          uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    ping        timestamptz,
    memory_peak integer
);

CREATE TABLE v2_job_status (
    id                      uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    flow_status             jsonb,
    workflow_as_code_status jsonb
);

CREATE TABLE v2_job_completed (
    id              uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    workspace_id    varchar(50) NOT NULL,
    duration_ms     bigint NOT NULL,
    result          jsonb,
    deleted         boolean NOT NULL DEFAULT false,
    canceled_by     varchar(255),
    canceled_reason text,
    flow_status     jsonb,
    started_at      timestamptz,
    completed_at    timestamptz NOT NULL DEFAULT now(),
    memory_peak     integer,
    status          varchar(20) NOT NULL CHECK (status IN ('success', 'failure', 'canceled', 'skipped')),
    worker          varchar(255),
    extras          jsonb
);
CREATE INDEX v2_job_completed_by_workspace ON v2_job_completed (workspace_id, completed_at DESC);

CREATE TABLE job_logs (
    job_id       uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    workspace_id varchar(50) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    logs         text NOT NULL DEFAULT ''
);

-- The pusher's permissions at push time: the job token's identity.
CREATE TABLE job_perms (
    job_id        uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    workspace_id  varchar(50) NOT NULL,
    email         varchar(255) NOT NULL,
    username      varchar(255) NOT NULL,
    is_admin      boolean NOT NULL,
    is_operator   boolean NOT NULL,
    groups        text[] NOT NULL,
    folders_read  text[] NOT NULL,
    folders_write text[] NOT NULL,
    folders_owned text[] NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE zombie_job_counter (
    job_id  uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE,
    counter integer NOT NULL
);

-- Instance-wide secrets, e.g. the key that signs job tokens.
CREATE TABLE instance_secret (
    name  varchar(50) PRIMARY KEY,
    value bytea NOT NULL
);
