// Package demo seeds a believable alliance for `verbund serve --demo`: an
// office with a user for every office role, and member organisations of
// several sectors, sizes and two countries that joined over two years
// through the real registration path (register, confirm the address, sign
// the agreement), with partners and a multiplier, a second agreement version
// that not everybody has accepted yet, designated recipients and circles.
//
// All names are invented; addresses use the reserved .example domain.
package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/taxii/cti"
	"github.com/verbund/verbund/internal/warning"
)

// Password is the password of every demo account. It is printed at start-up.
const Password = "verbund-demo-2026"

// seededKey marks a database that holds the demo already.
const seededKey = "demo.seeded"

// Login is one demo account, for the start-up banner.
type Login struct {
	Email string
	Org   string
	Roles string
}

// Stores are the storages the demo writes through the services.
type Stores struct {
	Identity    identity.Store
	Membership  membership.Store
	Designation designation.Store
	STIX        cti.Store      // optional: the TAXII collections
	Incidents   incident.Store // optional: incident reports and cases
	// Access is optional: with STIX, the demo of requests for access and
	// relays (sharing.go).
	Access   sharing.AccessStore
	Warnings warning.Store // optional: warnings and advisories

	// Remotes and RemoteKey (optional, with STIX) seed a TAXII remote;
	// RemoteKey is the installation's credential key (federation.KeyFrom).
	Remotes   federation.Store
	RemoteKey []byte
}

// clock is the demo's back-dated time: each reading moves it on by a
// second, so that everything the seed does happens in order.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { c.t = c.t.Add(time.Second); return c.t }
func (c *clock) set(t time.Time) {
	if t.After(c.t) {
		c.t = t
	}
}

// event is one thing that happened in the demo alliance's history.
type event struct {
	at   time.Time
	name string
	run  func() error
}

// seeder holds the services on the demo's clock and what it made so far.
type seeder struct {
	ctx    context.Context
	clk    *clock
	ids    *identity.Service
	mem    *membership.Service
	des    *designation.Service
	stix   cti.Store
	orgs   map[string]identity.Organisation // by slug; "office" for the office
	admins map[string]identity.Principal    // org admin by slug; office roles by role name
	link   string                           // the last verification link mailed
	access sharing.AccessStore
	// warnings stores the demo's warnings; nil seeds none.
	warnings warning.Store

	remotes   federation.Store
	remoteKey []byte
	// incStore holds incident reports; inc is the service on it, made on
	// first use; text writes mail.
	incStore incident.Store
	inc      *incident.Service
	text     func(lang, key string, args ...any) string
}

// Seed creates the demo alliance unless the database holds it already, and
// returns the demo logins either way.
func Seed(ctx context.Context, st Stores, text func(lang, key string, args ...any) string) ([]Login, error) {
	logins := loginsOf()
	seeded, err := st.Identity.Setting(ctx, seededKey)
	if err != nil {
		return nil, err
	}
	if seeded != "" {
		return logins, nil
	}
	now := time.Now().UTC().Truncate(time.Hour)
	s := &seeder{stix: st.STIX, warnings: st.Warnings, ctx: ctx, clk: &clock{t: now.AddDate(-2, 0, 0)}, orgs: map[string]identity.Organisation{}, admins: map[string]identity.Principal{},
		incStore: st.Incidents, text: text}
	s.remotes, s.remoteKey = st.Remotes, st.RemoteKey
	// The minimum of the OWASP recommendation keeps seeding quick; logins
	// verify with the parameters stored in each hash.
	argon := identity.Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1, KeyLen: 32, SaltLen: 16}
	// The verification link is taken from the mail as it is written, as a
	// person would click it in their inbox.
	capture := func(lang, key string, args ...any) string {
		if key == "mail.verify.body" && len(args) > 1 {
			s.link, _ = args[1].(string)
		}
		return text(lang, key, args...)
	}
	icfg := identity.DefaultConfig()
	icfg.Now, icfg.Argon2, icfg.MailHeld, icfg.Text = s.clk.now, argon, true, text
	s.ids = identity.NewService(st.Identity, icfg)
	mcfg := membership.DefaultConfig()
	mcfg.Now, mcfg.Argon2, mcfg.MailHeld, mcfg.Text = s.clk.now, argon, true, capture
	mcfg.AllowedCountries = []string{"DE", "NL"}
	s.mem = membership.NewService(st.Membership, mcfg)
	dcfg := designation.DefaultConfig()
	dcfg.Now = s.clk.now
	s.des = designation.NewService(st.Designation, dcfg)

	// Everything the demo does is an event at a time in the past two years;
	// events run in time order so that the audit log, the outbox and every
	// "since" read as the alliance's history.
	var events []event
	add := func(at time.Time, name string, run func() error) {
		events = append(events, event{at: at, name: name, run: run})
	}
	s.access, s.text = st.Access, text
	s.plan(now, add)
	s.planSharing(now, add)
	s.planWarnings(now, add)
	sort.SliceStable(events, func(i, j int) bool { return events[i].at.Before(events[j].at) })
	for _, e := range events {
		s.clk.set(e.at)
		if err := e.run(); err != nil {
			return nil, fmt.Errorf("demo: %s: %w", e.name, err)
		}
	}
	if err := st.Identity.Update(ctx, func(tx identity.Tx) error {
		return tx.SetSetting(ctx, seededKey, time.Now().UTC().Format(time.RFC3339))
	}); err != nil {
		return nil, err
	}
	return logins, nil
}

func (s *seeder) principal(userID string) (identity.Principal, error) {
	return s.ids.Principal(s.ctx, userID)
}

func loginsOf() []Login {
	var out []Login
	for _, p := range office.people {
		roles := make([]string, len(p.roles))
		for i, r := range p.roles {
			roles[i] = string(r)
		}
		out = append(out, Login{Email: p.email, Org: office.name, Roles: strings.Join(roles, ", ")})
	}
	for _, m := range members {
		name := m.name
		switch {
		case m.pending:
			name += " (pending)"
		case m.suspended:
			name += " (suspended)"
		}
		out = append(out, Login{Email: m.adminEmail(), Org: name, Roles: "org-admin"})
		if !m.pending {
			out = append(out, Login{Email: m.socEmail(), Org: name, Roles: "org-member"})
		}
	}
	return out
}
