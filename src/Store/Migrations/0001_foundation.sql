-- Foundation: workspaces, users, groups, folders, tokens, variables, resources, resource types, audit.
-- Shapes follow Windmill's tables (spec 1, 2, 3, 11); path and name rules are enforced here as well as in code.

CREATE TABLE workspace (
    id          varchar(50) PRIMARY KEY CHECK (id ~ '^\w+(-\w+)*$'),
    name        varchar(255) NOT NULL,
    owner       varchar(255) NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE workspace_key (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    kind         varchar(50) NOT NULL DEFAULT 'cloud',
    key          varchar(255) NOT NULL,
    PRIMARY KEY (workspace_id, kind)
);

CREATE TABLE password (
    email         varchar(255) PRIMARY KEY,
    password_hash varchar(255),
    super_admin   boolean NOT NULL DEFAULT false,
    name          varchar(255),
    login_type    varchar(50) NOT NULL DEFAULT 'password',
    verified      boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE usr (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    username     varchar(255) NOT NULL CHECK (username ~ '^[\w-]+$'),
    email        varchar(255) NOT NULL,
    is_admin     boolean NOT NULL DEFAULT false,
    operator     boolean NOT NULL DEFAULT false,
    disabled     boolean NOT NULL DEFAULT false,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, username),
    UNIQUE (workspace_id, email)
);

CREATE TABLE group_ (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    name         varchar(50) NOT NULL CHECK (name ~ '^[\w-]+$'),
    summary      text,
    extra_perms  jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE usr_to_group (
    workspace_id varchar(50) NOT NULL,
    group_       varchar(50) NOT NULL,
    usr          varchar(255) NOT NULL,
    PRIMARY KEY (workspace_id, group_, usr),
    FOREIGN KEY (workspace_id, group_) REFERENCES group_(workspace_id, name) ON DELETE CASCADE
);
CREATE INDEX usr_to_group_by_user ON usr_to_group (workspace_id, usr);

CREATE TABLE folder (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    name         varchar(255) NOT NULL CHECK (name ~ '^[\w-]+$'),
    display_name varchar(255) NOT NULL,
    owners       text[] NOT NULL DEFAULT '{}',
    extra_perms  jsonb NOT NULL DEFAULT '{}',
    summary      text,
    created_by   varchar(255),
    edited_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE token (
    token_hash   varchar(64) PRIMARY KEY,
    token_prefix varchar(10) NOT NULL,
    label        varchar(255),
    expiration   timestamptz,
    workspace_id varchar(50),
    email        varchar(255) NOT NULL,
    scopes       text[],
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);
CREATE INDEX token_by_email ON token (email);

CREATE TABLE variable (
    workspace_id varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path         varchar(255) NOT NULL CHECK (path ~ '^[ufg](/[\w-]+){2,}$'),
    value        varchar(15000) NOT NULL,
    is_secret    boolean NOT NULL DEFAULT false,
    description  varchar(10000) NOT NULL DEFAULT '',
    extra_perms  jsonb NOT NULL DEFAULT '{}',
    account      integer,
    is_oauth     boolean NOT NULL DEFAULT false,
    expires_at   timestamptz,
    labels       text[],
    edited_at    timestamptz NOT NULL DEFAULT now(),
    edited_by    varchar(255),
    PRIMARY KEY (workspace_id, path)
);

CREATE TABLE resource (
    workspace_id  varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    path          varchar(255) NOT NULL CHECK (path ~ '^[ufg](/[\w-]+){2,}$'),
    value         jsonb NOT NULL DEFAULT 'null',
    description   text,
    resource_type varchar(50) NOT NULL CHECK (resource_type ~ '^[\w-]+$'),
    extra_perms   jsonb NOT NULL DEFAULT '{}',
    created_by    varchar(255),
    edited_at     timestamptz NOT NULL DEFAULT now(),
    labels        text[],
    PRIMARY KEY (workspace_id, path)
);
CREATE INDEX resource_by_type ON resource (workspace_id, resource_type);

CREATE TABLE resource_type (
    workspace_id     varchar(50) NOT NULL REFERENCES workspace(id) ON DELETE CASCADE,
    name             varchar(50) NOT NULL CHECK (name ~ '^[\w-]+$'),
    schema           jsonb,
    description      text,
    created_by       varchar(255),
    edited_at        timestamptz NOT NULL DEFAULT now(),
    format_extension varchar(20),
    is_fileset       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (workspace_id, name)
);

CREATE TABLE audit (
    id           bigserial PRIMARY KEY,
    workspace_id varchar(50) NOT NULL,
    username     varchar(255) NOT NULL,
    operation    varchar(100) NOT NULL,
    action_kind  varchar(20) NOT NULL,
    resource     varchar(255),
    parameters   jsonb,
    timestamp    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_by_workspace_time ON audit (workspace_id, timestamp DESC);
