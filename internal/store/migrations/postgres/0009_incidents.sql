-- Incident reports and the cases the office handles them in
-- (internal/incident). Times are integer microseconds since the Unix
-- epoch; 0 means "not yet".
--
-- A case links the reports of one incident: for an organisation under
-- NIS2, one report per stage of article 23. The marking of a submitted
-- report lives in object_markings (kind 'incident', the report id), where
-- grants of access extend it; a draft keeps the marking its reporter is
-- still typing in its body, and nobody but its reporter reads it.
CREATE TABLE incident_cases (
    id            TEXT PRIMARY KEY,
    reference     TEXT NOT NULL UNIQUE,
    org_id        TEXT NOT NULL DEFAULT '',   -- '' for a report from the public
    nis2          BOOLEAN NOT NULL DEFAULT FALSE,
    trust_service BOOLEAN NOT NULL DEFAULT FALSE,
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    status        TEXT NOT NULL CHECK (status IN ('new', 'triaged', 'in-progress', 'closed')),
    assignee      TEXT NOT NULL DEFAULT '',
    lessons       TEXT NOT NULL DEFAULT '',
    follow_up     BYTEA,                      -- SHA-256 of the follow-up secret of a public report
    aware_at      BIGINT NOT NULL,
    handled_at    BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    closed_at     BIGINT NOT NULL DEFAULT 0,
    CHECK ((status = 'closed') = (closed_at <> 0)),
    CHECK (status <> 'closed' OR lessons <> '')
);
CREATE INDEX incident_cases_queue ON incident_cases (status, created_at);
CREATE INDEX incident_cases_org ON incident_cases (org_id, created_at);

CREATE TABLE incident_reports (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL DEFAULT '' ,   -- '' for a draft not yet part of a case
    stage        TEXT NOT NULL DEFAULT '',
    org_id       TEXT NOT NULL DEFAULT '',
    user_id      TEXT NOT NULL DEFAULT '',
    draft        BOOLEAN NOT NULL,
    class        TEXT NOT NULL DEFAULT '',
    type         TEXT NOT NULL DEFAULT '',
    impact       TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL,                -- the rest of the report, as JSON
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    submitted_at BIGINT NOT NULL DEFAULT 0,
    CHECK (draft = (submitted_at = 0)),
    CHECK (draft OR case_id <> '')
);
CREATE INDEX incident_reports_case ON incident_reports (case_id, submitted_at);
CREATE INDEX incident_reports_owner ON incident_reports (org_id, updated_at);
CREATE INDEX incident_reports_class ON incident_reports (class, type, submitted_at);

-- The sectors and indicators of submitted reports, for the situational
-- picture and for correlation.
CREATE TABLE incident_report_sectors (
    report_id TEXT NOT NULL REFERENCES incident_reports (id) ON DELETE CASCADE,
    sector    TEXT NOT NULL,
    PRIMARY KEY (report_id, sector)
);
CREATE TABLE incident_indicators (
    report_id TEXT NOT NULL REFERENCES incident_reports (id) ON DELETE CASCADE,
    type      TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (report_id, type, value)
);
CREATE INDEX incident_indicators_value ON incident_indicators (type, value);

-- The thread between the office and the reporter on a case.
CREATE TABLE incident_messages (
    id        TEXT PRIMARY KEY,
    case_id   TEXT NOT NULL REFERENCES incident_cases (id),
    from_org  TEXT NOT NULL DEFAULT '',
    from_user TEXT NOT NULL DEFAULT '',
    office    BOOLEAN NOT NULL,
    body      TEXT NOT NULL CHECK (body <> ''),
    at        BIGINT NOT NULL
);
CREATE INDEX incident_messages_case ON incident_messages (case_id, at);
