-- Root flows that have written custom flow state to Redis. Redis may restart without persistence: a flow
-- listed here whose Redis hash is gone has lost its state, and reading it then fails instead of answering null.
CREATE TABLE flow_user_state_written (
    id uuid PRIMARY KEY REFERENCES v2_job(id) ON DELETE CASCADE
);
