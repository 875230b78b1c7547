package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/incident"
)

// Attachments lists the attachments of report id, oldest first.
func (q *Queries) Attachments(ctx context.Context, reportID string) ([]incident.AttachmentInfo, error) {
	const op = "store.Attachments"
	rows, err := q.q.QueryContext(ctx, `SELECT id, report_id, name, media_type, size, sha256, created_at
		FROM incident_attachments WHERE report_id = $1 ORDER BY created_at, id`, reportID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	defer rows.Close()
	var out []incident.AttachmentInfo
	for rows.Next() {
		var (
			a  incident.AttachmentInfo
			at int64
		)
		if err := rows.Scan(&a.ID, &a.ReportID, &a.Name, &a.MediaType, &a.Size, &a.SHA256, &at); err != nil {
			return nil, mapErr(op, err)
		}
		a.CreatedAt = fromMicros(at)
		out = append(out, a)
	}
	return out, mapErr(op, rows.Err())
}

// Attachment returns attachment id with its content.
func (q *Queries) Attachment(ctx context.Context, id string) (incident.AttachmentFile, error) {
	const op = "store.Attachment"
	var (
		f  incident.AttachmentFile
		at int64
	)
	err := q.q.QueryRowContext(ctx, `SELECT id, report_id, name, media_type, size, sha256, created_at, content
		FROM incident_attachments WHERE id = $1`, id).Scan(&f.ID, &f.ReportID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &at, &f.Content)
	if errors.Is(err, sql.ErrNoRows) {
		return incident.AttachmentFile{}, verbund.E(op, verbund.NotFound, "no such attachment")
	}
	if err != nil {
		return incident.AttachmentFile{}, mapErr(op, err)
	}
	f.CreatedAt = fromMicros(at)
	return f, nil
}

// AddAttachment stores a.
func (q *Queries) AddAttachment(ctx context.Context, a incident.AttachmentFile) error {
	const op = "store.AddAttachment"
	if err := q.writable(op); err != nil {
		return err
	}
	if err := requireTime(op, "created_at", a.CreatedAt); err != nil {
		return err
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO incident_attachments (id, report_id, name, media_type, size, sha256, content, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.ReportID, a.Name, a.MediaType, a.Size, a.SHA256, a.Content, micros(a.CreatedAt))
	return mapErr(op, checkViolation(op, err))
}
