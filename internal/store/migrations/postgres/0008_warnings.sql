-- Warnings and advisories (internal/warning): the warning with its workflow
-- state and the draft being written, every published revision, the
-- acknowledgements of the organisations that received it, and the counter
-- of the tracking ids per year. Times are integer microseconds since the
-- Unix epoch, 0 for "not yet".
--
-- The marking of a warning is a row of object_markings with kind 'warning'
-- and the warning's id, so that the sharing policy decides every read.
-- Content (texts in de, nl and en, severity, CVSS, CVEs, products,
-- references) is JSON as warning.Content marshals it.

CREATE TABLE warnings (
    id              TEXT PRIMARY KEY,
    tracking_id     TEXT NOT NULL UNIQUE,
    owner_org       TEXT NOT NULL REFERENCES organisations (id),
    created_by      TEXT NOT NULL DEFAULT '',
    contribution    BOOLEAN NOT NULL DEFAULT FALSE,
    state           TEXT NOT NULL CHECK (state IN ('draft', 'review', 'approved', 'published', 'withdrawn')),
    draft           TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    edited_by       TEXT NOT NULL DEFAULT '',
    submitted_by    TEXT NOT NULL DEFAULT '',
    submitted_at    BIGINT NOT NULL DEFAULT 0,
    approved_by     TEXT NOT NULL DEFAULT '',
    approved_at     BIGINT NOT NULL DEFAULT 0,
    published_at    BIGINT NOT NULL DEFAULT 0,
    withdrawn_at    BIGINT NOT NULL DEFAULT 0,
    withdrawn_by    TEXT NOT NULL DEFAULT '',
    withdraw_reason TEXT NOT NULL DEFAULT '',
    marking_kind    TEXT NOT NULL DEFAULT 'warning' CHECK (marking_kind = 'warning'),
    FOREIGN KEY (marking_kind, id) REFERENCES object_markings (kind, object_id)
);
CREATE INDEX warnings_state ON warnings (state, updated_at);

-- Published revisions are never changed: number 1 is the first release.
CREATE TABLE warning_revisions (
    warning_id TEXT NOT NULL REFERENCES warnings (id),
    number     INTEGER NOT NULL CHECK (number > 0),
    at         BIGINT NOT NULL,
    by_user    TEXT NOT NULL DEFAULT '',
    summary    TEXT NOT NULL,
    content    TEXT NOT NULL,
    PRIMARY KEY (warning_id, number)
);

-- The newest acknowledgement of each organisation.
CREATE TABLE warning_acks (
    warning_id TEXT NOT NULL REFERENCES warnings (id),
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    status     TEXT NOT NULL CHECK (status IN ('seen', 'affected', 'fixed')),
    by_user    TEXT NOT NULL DEFAULT '',
    at         BIGINT NOT NULL,
    PRIMARY KEY (warning_id, org_id)
);

CREATE TABLE warning_tracking (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
