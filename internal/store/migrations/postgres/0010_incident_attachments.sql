-- Attachments of incident reports (internal/incident): evidence such as
-- screenshots, logs and packet captures. The content is kept in the
-- database, so that backups and every node of an installation hold it; it
-- is read only through the incident service, which asks the sharing policy
-- whether the reader may read the report.
CREATE TABLE incident_attachments (
    id         TEXT PRIMARY KEY,
    report_id  TEXT NOT NULL REFERENCES incident_reports (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (name <> ''),
    media_type TEXT NOT NULL CHECK (media_type <> ''),
    size       BIGINT NOT NULL CHECK (size > 0),
    sha256     TEXT NOT NULL CHECK (length(sha256) = 64),
    content    BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_attachments_report ON incident_attachments (report_id, created_at);
