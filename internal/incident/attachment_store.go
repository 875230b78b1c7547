package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/identity"
)

// AttachmentInfo describes a stored attachment of a report.
type AttachmentInfo struct {
	ID        string
	ReportID  string
	Name      string // sanitised, see CheckAttachment
	MediaType string // from the content
	Size      int64
	SHA256    string // hex
	CreatedAt time.Time
}

// AttachmentFile is a stored attachment with its content.
type AttachmentFile struct {
	AttachmentInfo
	Content []byte
}

const actionAttach = "incident.attach"

// Attach checks content under name with CheckAttachment (max: the size
// limit, 0 the default) and adds it to draft reportID of p's organisation.
//
// Errors: as SaveDraft; Invalid under "attachment" naming the file when it
// is refused; Conflict "too-many-attachments" past MaxAttachments.
func (s *Service) Attach(ctx context.Context, p identity.Principal, reportID, name string, content []byte, max int64) (AttachmentInfo, error) {
	const op = "incident.Attach"
	if !mayReport(p) {
		return AttachmentInfo{}, verbund.E(op, verbund.Forbidden, "only users of an active member organisation report incidents")
	}
	r, err := s.store.Report(ctx, reportID)
	if verbund.IsKind(err, verbund.NotFound) || err == nil && r.OrgID != p.OrgID() {
		return AttachmentInfo{}, verbund.E(op, verbund.NotFound, "not found")
	}
	if err != nil {
		return AttachmentInfo{}, err
	}
	if !r.Draft {
		return AttachmentInfo{}, &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "submitted",
			Msg: "this report was submitted; add a follow-up report to its case instead"}
	}
	return s.attach(ctx, p, r, name, content, max)
}

func (s *Service) attach(ctx context.Context, p identity.Principal, r Report, name string, content []byte, max int64) (AttachmentInfo, error) {
	const op = "incident.Attach"
	head := content
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	a, err := CheckAttachment(name, head, int64(len(content)), max)
	if err != nil {
		return AttachmentInfo{}, err
	}
	sum := sha256.Sum256(content)
	f := AttachmentFile{AttachmentInfo: AttachmentInfo{ID: identity.NewID(), ReportID: r.ID, Name: a.Name,
		MediaType: a.MediaType, Size: a.Size, SHA256: hex.EncodeToString(sum[:]), CreatedAt: s.now()}, Content: content}
	err = s.store.Update(ctx, func(tx Tx) error {
		have, err := tx.Attachments(ctx, r.ID)
		if err != nil {
			return err
		}
		if len(have) >= MaxAttachments {
			return &verbund.Error{Op: op, Kind: verbund.Conflict, Code: "too-many-attachments",
				Msg: "a report carries at most 20 attachments", Fields: map[string]string{"attachment": "a report carries at most 20 attachments"}}
		}
		if err := tx.AddAttachment(ctx, f); err != nil {
			return err
		}
		e := s.entry(ctx, p, actionAttach, r.ID, audit.Success)
		e.Reason = "attachment " + f.SHA256 + ", " + f.MediaType
		_, err = tx.AppendAudit(ctx, e)
		return err
	})
	return f.AttachmentInfo, err
}

// Attachments lists the attachments of report id if the policy lets p read
// the report; otherwise NotFound, as Report.
func (s *Service) Attachments(ctx context.Context, p identity.Principal, id string) ([]AttachmentInfo, error) {
	if _, err := s.Report(ctx, p, id); err != nil {
		return nil, err
	}
	return s.store.Attachments(ctx, id)
}

// Attachment returns attachment attID of report id with its content, if the
// policy lets p read the report; a refused read is audited and answered
// NotFound.
func (s *Service) Attachment(ctx context.Context, p identity.Principal, id, attID string) (AttachmentFile, error) {
	const op = "incident.Attachment"
	if _, err := s.Report(ctx, p, id); err != nil {
		return AttachmentFile{}, err
	}
	f, err := s.store.Attachment(ctx, attID)
	if err == nil && f.ReportID != id {
		err = verbund.E(op, verbund.NotFound, "not found")
	}
	return f, err
}
