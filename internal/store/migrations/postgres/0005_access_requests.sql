-- Requests for access: a member that may see that an object exists but may
-- not read it asks the owner for access with a reason; the owner decides
-- with a reason, and a grant adds the requesting organisation to the
-- object's audience (object_audience). Times are integer microseconds since
-- the Unix epoch; 0 means "never".
--
-- The object is referenced by kind and id without a foreign key, so that
-- the record of a request outlives the object it was about.
CREATE TABLE access_requests (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    object_id       TEXT NOT NULL,
    owner_org       TEXT NOT NULL REFERENCES organisations (id),
    requester_org   TEXT NOT NULL REFERENCES organisations (id),
    requester_user  TEXT NOT NULL REFERENCES users (id),
    reason          TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'granted', 'refused')),
    created_at      BIGINT NOT NULL,
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      BIGINT NOT NULL DEFAULT 0,
    decision_reason TEXT NOT NULL DEFAULT '',
    CHECK (kind <> '' AND object_id <> '' AND reason <> ''),
    CHECK (owner_org <> requester_org),
    -- A decided request names who decided, when and why; an open one none.
    CHECK ((state = 'open') = (decided_at = 0)),
    CHECK (state = 'open' OR (decided_by <> '' AND decision_reason <> ''))
);
-- One open request per organisation and object.
CREATE UNIQUE INDEX access_requests_open ON access_requests (kind, object_id, requester_org) WHERE state = 'open';
CREATE INDEX access_requests_owner ON access_requests (owner_org, created_at);
CREATE INDEX access_requests_requester ON access_requests (requester_org, created_at);
