-- Recipients of the designated-hub model and the sharing groups of every
-- model: assessments of an organisation for a designation category with
-- their findings and evidence, the designations they decide, circles of
-- organisations (nested), and the stored markings of information objects
-- with their audiences. Times are integer microseconds since the Unix
-- epoch; 0 means "never". Categories are the names policy.Category writes.

CREATE TABLE assessments (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    category    TEXT NOT NULL CHECK (category IN ('oktt', 'eu-national-csirt', 'designated-csirt', 'isp')),
    sector_wide BOOLEAN NOT NULL DEFAULT FALSE,
    state       TEXT NOT NULL CHECK (state IN ('open', 'designated', 'refused')),
    opened_by   TEXT NOT NULL DEFAULT '',
    opened_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX assessments_org ON assessments (org_id, opened_at);
CREATE INDEX assessments_state ON assessments (state, opened_at);
-- At most one open assessment per organisation and category.
CREATE UNIQUE INDEX assessments_open ON assessments (org_id, category) WHERE state = 'open';

-- One finding per criterion; recording it again replaces it (the audit log
-- keeps the history).
CREATE TABLE assessment_findings (
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    criterion     TEXT NOT NULL CHECK (criterion IN ('task', 'confidentiality', 'lawful')),
    met           BOOLEAN NOT NULL,
    note          TEXT NOT NULL,
    recorded_by   TEXT NOT NULL DEFAULT '',
    recorded_at   BIGINT NOT NULL,
    PRIMARY KEY (assessment_id, criterion)
);

-- Evidence documents: the metadata always, the file itself (when one was
-- given and is small enough) in assessment_evidence_files, so that listing
-- evidence never reads file contents.
CREATE TABLE assessment_evidence (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES assessments (id),
    title         TEXT NOT NULL,
    reference     TEXT NOT NULL DEFAULT '',
    file_name     TEXT NOT NULL DEFAULT '',
    content_type  TEXT NOT NULL DEFAULT '',
    sha256        TEXT NOT NULL DEFAULT '',
    size          BIGINT NOT NULL DEFAULT 0,
    added_by      TEXT NOT NULL DEFAULT '',
    added_at      BIGINT NOT NULL
);
CREATE INDEX assessment_evidence_assessment ON assessment_evidence (assessment_id, added_at);

CREATE TABLE assessment_evidence_files (
    evidence_id TEXT PRIMARY KEY REFERENCES assessment_evidence (id),
    content     BLOB NOT NULL
);

-- A designation exists only as the decision of an assessment: the unique
-- reference makes a second designation from one assessment impossible.
CREATE TABLE designations (
    id            TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL UNIQUE REFERENCES assessments (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    category      TEXT NOT NULL CHECK (category IN ('oktt', 'eu-national-csirt', 'designated-csirt', 'isp')),
    sector_wide   BOOLEAN NOT NULL DEFAULT FALSE,
    valid_from    BIGINT NOT NULL,
    valid_until   BIGINT NOT NULL,
    review_at     BIGINT NOT NULL,
    designated_by TEXT NOT NULL DEFAULT '',
    designated_at BIGINT NOT NULL,
    revoked_at    BIGINT NOT NULL DEFAULT 0,
    revoked_by    TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT '',
    CHECK (valid_until > valid_from),
    CHECK (review_at >= valid_from AND review_at < valid_until)
);
CREATE INDEX designations_org ON designations (org_id, valid_from);
CREATE INDEX designations_review ON designations (review_at) WHERE revoked_at = 0;
CREATE INDEX designations_until ON designations (valid_until) WHERE revoked_at = 0;

-- Circles: named sharing groups owned by the office or an organisation.
CREATE TABLE circles (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    owner_org    TEXT NOT NULL REFERENCES organisations (id),
    hide_members BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX circles_owner_name ON circles (owner_org, lower(name));

CREATE TABLE circle_orgs (
    circle_id TEXT NOT NULL REFERENCES circles (id),
    org_id    TEXT NOT NULL REFERENCES organisations (id),
    added_by  TEXT NOT NULL DEFAULT '',
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (circle_id, org_id)
);
CREATE INDEX circle_orgs_org ON circle_orgs (org_id);

-- circle_id contains member_id: every organisation in member_id is in
-- circle_id too. The service refuses cycles; the policy tolerates them.
CREATE TABLE circle_circles (
    circle_id TEXT NOT NULL REFERENCES circles (id),
    member_id TEXT NOT NULL REFERENCES circles (id),
    added_by  TEXT NOT NULL DEFAULT '',
    added_at  BIGINT NOT NULL,
    PRIMARY KEY (circle_id, member_id),
    CHECK (circle_id <> member_id)
);
CREATE INDEX circle_circles_member ON circle_circles (member_id);

-- The marking of an information object of any kind, keyed by the kind and
-- the object's id in the table of its capability.
CREATE TABLE object_markings (
    kind         TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    tlp          TEXT NOT NULL CHECK (tlp IN ('CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED')),
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    identifiable BOOLEAN NOT NULL DEFAULT FALSE,
    purpose      TEXT NOT NULL DEFAULT '',
    owner_org    TEXT NOT NULL REFERENCES organisations (id),
    created_by   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, object_id)
);
CREATE INDEX object_markings_owner ON object_markings (owner_org, kind);
CREATE INDEX object_markings_tlp ON object_markings (kind, tlp);

-- One row per part of the audience. A SQL pre-filter finds the objects that
-- may reach a viewer through object_audience_member: (community, ''),
-- (sector, s) for each of its sectors, (circle, c) for each circle it is
-- in, (org, its id), (user, its id).
CREATE TABLE object_audience (
    kind        TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    member_type TEXT NOT NULL CHECK (member_type IN ('community', 'sector', 'circle', 'org', 'user')),
    member_id   TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, object_id, member_type, member_id),
    FOREIGN KEY (kind, object_id) REFERENCES object_markings (kind, object_id) ON DELETE CASCADE,
    CHECK ((member_type = 'community') = (member_id = ''))
);
CREATE INDEX object_audience_member ON object_audience (member_type, member_id, kind, object_id);
