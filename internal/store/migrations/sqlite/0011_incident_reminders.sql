-- Reminders of NIS2 deadlines that were sent (internal/incident): one row
-- per case, stage, deadline and kind, so that each reminder goes out once,
-- sent by whichever node stores the row first. Times are integer
-- microseconds since the Unix epoch.
CREATE TABLE incident_reminders (
    case_id TEXT NOT NULL REFERENCES incident_cases (id),
    stage   TEXT NOT NULL,
    due_at  BIGINT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('due-soon', 'overdue')),
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (case_id, stage, due_at, kind)
);
