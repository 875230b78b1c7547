-- STIX 2.1 objects served over TAXII 2.1 (internal/taxii): collections, every
-- stored version of an object in a collection, the observables its indicator
-- pattern compares, and the status of each request that added objects.
-- Times are integer microseconds since the Unix epoch.
--
-- Markings live where every other information object keeps them: the
-- default marking of a collection in object_markings with kind
-- 'stix-collection' and the collection id; the marking of each stored
-- version with kind 'stix' and the id "<collection>/<stix id>@<version>",
-- so that the policy decides every version on its own.

CREATE TABLE stix_collections (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    alias         TEXT NOT NULL DEFAULT '',
    media_types   TEXT NOT NULL,
    owner_org     TEXT NOT NULL REFERENCES organisations (id),
    readers_write BOOLEAN NOT NULL DEFAULT FALSE,
    created_by    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    -- The position of the last object added: seq and date_added only grow,
    -- and are taken under the lock of this row, so that they follow the
    -- order in which the adding transactions commit.
    last_seq      BIGINT NOT NULL DEFAULT 0,
    last_added    BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX stix_collections_alias ON stix_collections (alias) WHERE alias <> '';

-- One row per version of an object in a collection. version is the
-- object's modified, else created, else its date_added (SCOs carry neither).
-- latest and earliest say whether the row is the newest or oldest version
-- of its object in the collection, whoever may see it.
CREATE TABLE stix_objects (
    collection_id TEXT NOT NULL REFERENCES stix_collections (id),
    seq           BIGINT NOT NULL,
    date_added    BIGINT NOT NULL,
    stix_id       TEXT NOT NULL,
    type          TEXT NOT NULL,
    spec_version  TEXT NOT NULL,
    version       BIGINT NOT NULL,
    latest        BOOLEAN NOT NULL,
    earliest      BOOLEAN NOT NULL,
    marking_kind  TEXT NOT NULL DEFAULT 'stix' CHECK (marking_kind = 'stix'),
    marking_id    TEXT NOT NULL UNIQUE,
    raw           BYTEA NOT NULL,
    PRIMARY KEY (collection_id, seq),
    UNIQUE (collection_id, stix_id, version),
    UNIQUE (collection_id, date_added),
    FOREIGN KEY (marking_kind, marking_id) REFERENCES object_markings (kind, object_id)
);
CREATE INDEX stix_objects_type ON stix_objects (collection_id, type, seq);

-- The values an indicator's pattern compares (stix.Observables), once per
-- object and collection however many versions repeat them.
CREATE TABLE stix_observables (
    type          TEXT NOT NULL,
    value         TEXT NOT NULL,
    collection_id TEXT NOT NULL REFERENCES stix_collections (id),
    stix_id       TEXT NOT NULL,
    PRIMARY KEY (type, value, collection_id, stix_id)
);
CREATE INDEX stix_observables_object ON stix_observables (collection_id, stix_id);

-- The TAXII status resource of each request that added objects; only the
-- requesting organisation reads it. details is the JSON of the successes
-- and failures.
CREATE TABLE stix_status (
    id            TEXT PRIMARY KEY,
    collection_id TEXT NOT NULL REFERENCES stix_collections (id),
    org_id        TEXT NOT NULL REFERENCES organisations (id),
    requested_by  TEXT NOT NULL DEFAULT '',
    requested_at  BIGINT NOT NULL,
    total_count   BIGINT NOT NULL,
    success_count BIGINT NOT NULL,
    failure_count BIGINT NOT NULL,
    details       BYTEA NOT NULL
);
CREATE INDEX stix_status_requested ON stix_status (requested_at);
