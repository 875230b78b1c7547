package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// orgLookup finds the demo's organisations by id.
type orgLookup map[string]identity.Organisation

func (m orgLookup) Organisation(_ context.Context, id string) (identity.Organisation, error) {
	for _, o := range m {
		if o.ID == id {
			return o, nil
		}
	}
	return identity.Organisation{}, verbund.E("demo.Organisation", verbund.NotFound, "no such organisation")
}

// seedRemotes configures the TAXII remote the alliance pulls from: the
// collection of a neighbouring CERT, into the alliance's indicators. It is
// disabled, because the demo has no network, and shows the state its last
// runs left: what a newcomer sees of a remote that works.
func (s *seeder) seedRemotes(now time.Time) error {
	if s.stix == nil || s.remotes == nil || len(s.remoteKey) == 0 {
		return nil
	}
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		return err
	}
	door := sharing.New(pol, s.mem, s.des, s.des, s.ids, s.clk.now)
	svc := cti.NewService(s.stix, door, s.clk.now)
	cs, err := svc.Collections(s.ctx)
	if err != nil {
		return err
	}
	var local string
	for _, c := range cs {
		if c.Alias == "allianz" {
			local = c.ID
		}
	}
	if local == "" {
		return fmt.Errorf("the alliance's collection is missing")
	}
	fed, err := federation.NewService(federation.Config{Key: s.remoteKey, Now: s.clk.now}, s.remotes, door, svc, orgLookup(s.orgs))
	if err != nil {
		return err
	}
	office := s.admins[string(identity.RoleOfficeAdmin)]
	r, err := fed.Create(s.ctx, office, federation.Input{
		Name: "CERT-Verbund Nord (TAXII)", URL: "https://taxii.cert-verbund-nord.example/taxii2/",
		Collection: "5c6f6c2e-8e0a-4d8e-9b5e-3f1d2a7c9e41", Direction: federation.Pull, Auth: federation.AuthBearer,
		Secret: "demo-token-of-cert-verbund-nord", LocalCollection: local, Interval: time.Hour, Enabled: false,
	})
	if err != nil {
		return err
	}
	last := now.Add(-5*24*time.Hour - 40*time.Minute)
	st := federation.State{LastRun: last, LastSuccess: last, LastCount: 3,
		Cursor: last.Add(-25 * time.Minute).Format("2006-01-02T15:04:05.000000Z"),
		Rejected: []federation.Rejected{{ID: "indicator--0b6f3e0a-4c1d-4e8f-9a2b-7d5c3e1f0a9b", Version: last.Add(-3 * time.Hour).Format("2006-01-02T15:04:05.000Z"),
			Message: "the object is not valid STIX 2.1: pattern: unexpected end of the pattern at position 31"}}}
	return s.remotes.Update(s.ctx, func(tx federation.Tx) error {
		return tx.SaveRemoteState(s.ctx, r.ID, "", st, time.Time{})
	})
}
