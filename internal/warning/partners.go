package warning

import (
	"context"

	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
)

// Partners returns the Config.IsPartner check on the membership service:
// an organisation is a partner while its partner status lasts.
func Partners(m *membership.Service) func(ctx context.Context, orgID string) (bool, error) {
	return func(ctx context.Context, orgID string) (bool, error) {
		rs, err := m.Statuses(ctx, identity.SystemPrincipal(), orgID)
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if r.Status == membership.Partner && r.Current() {
				return true, nil
			}
		}
		return false, nil
	}
}
