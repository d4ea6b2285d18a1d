-- Assets (spec 9.1): one row = "runnable or job usage_path uses asset (kind, path) with this access".
-- Static rows (usage_kind script/flow) are replaced on every deploy; job rows come from runtime events,
-- the latest few kept per asset.
CREATE TYPE asset_kind AS ENUM ('s3object', 'resource', 'ducklake', 'datatable', 'volume');
CREATE TYPE asset_access_type AS ENUM ('r', 'w', 'rw');
CREATE TYPE asset_usage_kind AS ENUM ('script', 'flow', 'job');

CREATE TABLE asset (
    workspace_id      varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path              varchar(1024) NOT NULL,
    kind              asset_kind NOT NULL,
    usage_access_type asset_access_type,
    usage_path        varchar(1024) NOT NULL,
    usage_kind        asset_usage_kind NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    id                bigserial NOT NULL,
    columns           jsonb,
    PRIMARY KEY (workspace_id, path, kind, usage_path, usage_kind)
);
CREATE INDEX asset_by_usage ON asset (workspace_id, usage_kind, usage_path);
CREATE INDEX asset_by_recent_job ON asset (workspace_id, path, kind, created_at DESC) WHERE usage_kind = 'job';

-- Access modes a user set by hand on a static usage; a redeploy keeps them while the asset is still detected.
CREATE TABLE asset_access_choice (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path         varchar(1024) NOT NULL,
    kind         asset_kind NOT NULL,
    usage_path   varchar(1024) NOT NULL,
    usage_kind   asset_usage_kind NOT NULL,
    access_type  asset_access_type,
    PRIMARY KEY (workspace_id, path, kind, usage_path, usage_kind)
);
