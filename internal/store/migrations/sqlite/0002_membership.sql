-- Membership of the open alliance: what a registration adds to an
-- organisation, e-mail verification links, the confidentiality agreement with
-- its signatures, partner and multiplier applications with their
-- contributions, the statuses an organisation holds, and the signed badges
-- that show them. Times are integer microseconds since the Unix epoch; 0
-- means "never". Lists of short texts (expertise tags, checked checklist
-- items) are stored one per line: the service refuses line breaks in them.

CREATE TABLE membership_profiles (
    org_id           TEXT PRIMARY KEY REFERENCES organisations (id),
    legal_form       TEXT NOT NULL DEFAULT '',
    street           TEXT NOT NULL DEFAULT '',
    postcode         TEXT NOT NULL DEFAULT '',
    city             TEXT NOT NULL DEFAULT '',
    website          TEXT NOT NULL DEFAULT '',
    size_class       TEXT NOT NULL DEFAULT '',
    contact_function TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    network_visible  BOOLEAN NOT NULL DEFAULT FALSE,
    registered_by    TEXT NOT NULL DEFAULT '',
    verified_at      BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

-- Links that confirm the e-mail address of a registration's first user; only
-- the SHA-256 of the secret in the link is kept.
CREATE TABLE membership_verifications (
    hash       BLOB PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX membership_verifications_user ON membership_verifications (user_id);

-- The agreement on the handling of confidential information. The highest
-- version is the current one.
CREATE TABLE agreements (
    version      INTEGER PRIMARY KEY,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE agreement_texts (
    version INTEGER NOT NULL REFERENCES agreements (version),
    lang    TEXT NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (version, lang)
);

-- A signature is evidence: it names the user without a foreign key, so that
-- it outlives any change to the users table.
CREATE TABLE agreement_signatures (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations (id),
    user_id     TEXT NOT NULL,
    version     INTEGER NOT NULL REFERENCES agreements (version),
    lang        TEXT NOT NULL,
    text_sha256 TEXT NOT NULL,
    signed_at   BIGINT NOT NULL,
    ip          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agreement_signatures_org ON agreement_signatures (org_id, version);

CREATE TABLE membership_applications (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations (id),
    kind         TEXT NOT NULL CHECK (kind IN ('partner', 'multiplier')),
    expertise    TEXT NOT NULL DEFAULT '',
    org_type     TEXT NOT NULL DEFAULT '',
    description  TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'withdrawn')),
    submitted_by TEXT NOT NULL DEFAULT '',
    submitted_at BIGINT NOT NULL,
    decided_by   TEXT NOT NULL DEFAULT '',
    decided_at   BIGINT NOT NULL DEFAULT 0,
    reason       TEXT NOT NULL DEFAULT '',
    checked      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX membership_applications_org ON membership_applications (org_id, submitted_at);
CREATE INDEX membership_applications_state ON membership_applications (state, submitted_at);
-- At most one open application per organisation and kind.
CREATE UNIQUE INDEX membership_applications_open ON membership_applications (org_id, kind) WHERE state = 'pending';

-- Partner contributions and multiplier activities.
CREATE TABLE membership_contributions (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organisations (id),
    application_id TEXT NOT NULL REFERENCES membership_applications (id),
    kind           TEXT NOT NULL CHECK (kind IN ('partner', 'multiplier')),
    type           TEXT NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    link           TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected', 'withdrawn')),
    submitted_by   TEXT NOT NULL DEFAULT '',
    submitted_at   BIGINT NOT NULL,
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_at     BIGINT NOT NULL DEFAULT 0,
    reason         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX membership_contributions_org ON membership_contributions (org_id, submitted_at);
CREATE INDEX membership_contributions_state ON membership_contributions (state, submitted_at);

-- The statuses an organisation holds or held; ended_at 0 while it lasts.
CREATE TABLE membership_statuses (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations (id),
    status     TEXT NOT NULL CHECK (status IN ('participant', 'partner', 'multiplier')),
    since      BIGINT NOT NULL,
    ended_at   BIGINT NOT NULL DEFAULT 0,
    end_reason TEXT NOT NULL DEFAULT ''
);
-- An organisation holds each status at most once at a time.
CREATE UNIQUE INDEX membership_statuses_current ON membership_statuses (org_id, status) WHERE ended_at = 0;
CREATE INDEX membership_statuses_status ON membership_statuses (status, ended_at);

CREATE TABLE membership_badges (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    status        TEXT NOT NULL CHECK (status IN ('participant', 'partner', 'multiplier')),
    since         BIGINT NOT NULL,
    issued_at     BIGINT NOT NULL,
    statement     TEXT NOT NULL,
    signature     TEXT NOT NULL,
    revoked_at    BIGINT NOT NULL DEFAULT 0,
    revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX membership_badges_org ON membership_badges (org_id, issued_at);
