-- TAXII remotes: other TAXII 2.1 servers a local collection is pulled from
-- or pushed to on a schedule (internal/federation). Times are integer
-- microseconds since the Unix epoch; 0 means "never".
--
-- secret holds the remote's password or token sealed with AES-256-GCM
-- under a key derived from the installation secret, which is never stored;
-- the remote's id is the associated data. Empty: no secret.
--
-- A run leases its remote (lease_owner, lease_until), so that of several
-- nodes only one runs it at a time; a node that dies loses the lease when
-- it ends.
CREATE TABLE taxii_remotes (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    url              TEXT NOT NULL,
    remote_collection TEXT NOT NULL,
    direction        TEXT NOT NULL CHECK (direction IN ('pull', 'push')),
    auth_kind        TEXT NOT NULL CHECK (auth_kind IN ('none', 'basic', 'bearer')),
    username         TEXT NOT NULL DEFAULT '',
    secret           BYTEA,
    local_collection TEXT NOT NULL REFERENCES stix_collections (id),
    -- The organisation whose view a push sends; '' for a pull.
    recipient_org    TEXT NOT NULL DEFAULT '',
    interval_seconds BIGINT NOT NULL CHECK (interval_seconds > 0),
    enabled          BOOLEAN NOT NULL DEFAULT FALSE,
    created_by       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    last_run_at      BIGINT NOT NULL DEFAULT 0,
    last_success_at  BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    failures         INTEGER NOT NULL DEFAULT 0,
    last_count       INTEGER NOT NULL DEFAULT 0,
    next_run_at      BIGINT NOT NULL DEFAULT 0,
    -- Pull: the remote's date_added of the last object stored, verbatim.
    pull_cursor      TEXT NOT NULL DEFAULT '',
    -- Push: the local seq of the last object the remote accepted.
    push_position    BIGINT NOT NULL DEFAULT 0,
    -- The objects the last run could not deliver: a JSON array of
    -- {"id", "version", "message"}.
    rejected         TEXT NOT NULL DEFAULT '[]',
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      BIGINT NOT NULL DEFAULT 0,
    CHECK (name <> '' AND url <> '' AND remote_collection <> ''),
    CHECK (direction = 'pull' OR recipient_org <> '')
);
CREATE UNIQUE INDEX taxii_remotes_name ON taxii_remotes (lower(name));
CREATE INDEX taxii_remotes_due ON taxii_remotes (next_run_at) WHERE enabled;
