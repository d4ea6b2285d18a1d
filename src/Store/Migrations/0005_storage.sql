-- Workspace settings (spec 10.2): for now the object storage the workspace links.
CREATE TABLE workspace_settings (
    workspace_id       varchar(50) PRIMARY KEY REFERENCES workspace(id) ON DELETE CASCADE,
    large_file_storage jsonb
);
