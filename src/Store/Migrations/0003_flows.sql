-- Flows (spec 7, 16): the live definition per path, and every deployed version.

CREATE TABLE flow (
    workspace_id   varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path           varchar(255) NOT NULL CHECK (path ~ '^[ufg](/[\w-]+){2,}$'),
    summary        text NOT NULL DEFAULT '',
    description    text NOT NULL DEFAULT '',
    value          jsonb NOT NULL,
    schema         jsonb,
    edited_by      varchar(255) NOT NULL,
    edited_at      timestamptz NOT NULL DEFAULT now(),
    archived       boolean NOT NULL DEFAULT false,
    extra_perms    jsonb NOT NULL DEFAULT '{}',
    tag            varchar(255),
    timeout        integer,
    priority       smallint CHECK (priority BETWEEN 0 AND 100),
    versions       bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, path)
);

CREATE TABLE flow_version (
    id           bigserial PRIMARY KEY,
    workspace_id varchar(50) NOT NULL,
    path         varchar(255) NOT NULL,
    value        jsonb NOT NULL,
    schema       jsonb,
    created_by   varchar(255) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (workspace_id, path) REFERENCES flow (workspace_id, path) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX flow_version_by_path ON flow_version (workspace_id, path, id DESC);

