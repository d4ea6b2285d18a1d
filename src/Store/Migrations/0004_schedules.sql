-- Schedules (spec 8): cron triggers of scripts and flows, and the ticks pushed for them.

CREATE TABLE schedule (
    workspace_id            varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path                    varchar(255) NOT NULL CHECK (path ~ '^[ufg](/[\w-]+){2,}$'),
    edited_by               varchar(255) NOT NULL,
    edited_at               timestamptz NOT NULL DEFAULT now(),
    schedule                varchar(255) NOT NULL,
    timezone                varchar(255) NOT NULL DEFAULT 'UTC',
    enabled                 boolean NOT NULL DEFAULT true,
    script_path             varchar(255) NOT NULL,
    is_flow                 boolean NOT NULL DEFAULT false,
    args                    jsonb,
    extra_perms             jsonb NOT NULL DEFAULT '{}',
    email                   varchar(255) NOT NULL,
    error                   text,
    on_failure              varchar(1000),
    on_failure_times        integer,
    on_failure_exact        boolean,
    on_failure_extra_args   jsonb,
    on_recovery             varchar(1000),
    on_recovery_times       integer,
    on_recovery_extra_args  jsonb,
    on_success              varchar(1000),
    on_success_extra_args   jsonb,
    ws_error_handler_muted  boolean NOT NULL DEFAULT false,
    retry                   jsonb,
    summary                 varchar(1000),
    description             text,
    no_flow_overlap         boolean NOT NULL DEFAULT false,
    tag                     varchar(255),
    paused_until            timestamptz,
    cron_version            varchar(10) NOT NULL DEFAULT 'v2',
    PRIMARY KEY (workspace_id, path)
);

-- One row per pushed tick: the key makes "one job per tick" a fact of the store, whatever pushes it.
CREATE TABLE schedule_tick (
    workspace_id varchar(50) NOT NULL,
    path         varchar(255) NOT NULL,
    tick_at      timestamptz NOT NULL,
    job_id       uuid NOT NULL,
    PRIMARY KEY (workspace_id, path, tick_at),
    FOREIGN KEY (workspace_id, path) REFERENCES schedule (workspace_id, path) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX v2_job_by_trigger ON v2_job (workspace_id, trigger) WHERE trigger_kind = 'schedule';
