package cti

import (
	"context"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/stix"
)

// MaxLookupValues is the most values one LookupMany takes.
const MaxLookupValues = 10000

// MaxLookupMatches is the most objects one value is answered with. A value
// that more objects compare (the same address in thousands of indicators)
// is answered with the first ones by collection and id, and Truncated.
const MaxLookupMatches = 100

// blockLengthsTTL is how long the prefix lengths of the stored CIDR blocks
// are kept before they are read again; blocks of a length new to the
// installation that another node stored are found after at most this long.
const blockLengthsTTL = time.Minute

// LookupStore is what LookupMany reads. The store implements it beside
// Store.
type LookupStore interface {
	// STIXObservableMatches returns, for each of keys, the objects whose
	// pattern compares it, at most limit of them by collection, then id
	// (in the database's order); one query per batch of keys.
	STIXObservableMatches(ctx context.Context, keys []stix.Observable, limit int) ([][]ObjectRef, error)
	// STIXBlockLengths returns the prefix lengths of the CIDR blocks the
	// patterns compare, by observable type (ipv4-addr, ipv6-addr).
	STIXBlockLengths(ctx context.Context) (map[string][]int, error)
	// STIXVersionsFor returns every version of the objects refs, with JSON
	// and marking, by collection, id, then version.
	STIXVersionsFor(ctx context.Context, refs []ObjectRef) ([]Version, error)
}

// LookupResult is the answer for one value of LookupMany.
type LookupResult struct {
	Value      string          // as given
	Observable stix.Observable // the value recognised and normalised
	// Err is a verbund.Invalid error when the value is no observable Verbund
	// recognises; the other fields are then zero.
	Err     error
	Matches []LookupMatch
	// Truncated is true when more than MaxLookupMatches objects compare the
	// value: only the first ones were decided.
	Truncated bool
}

// LookupMatch is one object that compares a looked-up value: the newest
// version of it the viewer may see.
type LookupMatch struct {
	Version
	Name string // the object's name, if it has one
	// Via is the stored value that matched: the value itself, or a CIDR
	// block that contains it.
	Via stix.Observable
}

// blockCache keeps the prefix lengths of the stored CIDR blocks.
type blockCache struct {
	mu      sync.Mutex
	at      time.Time
	lengths map[string][]int
}

// LookupMany recognises the kind of each of values (IPv4 or IPv6 address
// or CIDR block, domain name, URL, e-mail address, file hash; see
// stix.NormaliseObservable) and returns, in the same order, the objects in
// the collections v may read whose indicator pattern compares it, or a CIDR
// block that contains it, each in the newest version v may see. Every
// version passes the door. A value that is not recognised gets its own
// error; the others are answered. More than MaxLookupValues values are a
// verbund.Invalid error.
func (s *Service) LookupMany(ctx context.Context, p identity.Principal, v *policy.Viewer, values []string) ([]LookupResult, error) {
	const op = "cti.LookupMany"
	ls, ok := s.store.(LookupStore)
	if !ok {
		return nil, verbund.E(op, verbund.Internal, "the store cannot look observables up")
	}
	if len(values) > MaxLookupValues {
		return nil, verbund.InvalidFields(op, map[string]string{"values": "at most " + strconv.Itoa(MaxLookupValues) + " values per request"})
	}
	out := make([]LookupResult, len(values))
	for i, val := range values {
		out[i].Value = val
		out[i].Observable, out[i].Err = stix.NormaliseObservable("", val)
	}
	lengths, err := s.blockLengths(ctx, ls, out)
	if err != nil {
		return nil, err
	}
	// The keys to look up: each value, and the blocks of every stored
	// length that would contain it; each key once.
	keyIndex := map[stix.Observable]int{}
	var keys []stix.Observable
	keysOf := make([][]int, len(out))
	add := func(i int, k stix.Observable) {
		n, ok := keyIndex[k]
		if !ok {
			n = len(keys)
			keyIndex[k] = n
			keys = append(keys, k)
		}
		keysOf[i] = append(keysOf[i], n)
	}
	for i := range out {
		if out[i].Err != nil {
			continue
		}
		o := out[i].Observable
		add(i, o)
		for _, b := range covering(o, lengths[o.Type]) {
			add(i, b)
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	refsOf, err := ls.STIXObservableMatches(ctx, keys, MaxLookupMatches+1)
	if err != nil {
		return nil, err
	}
	// The candidates of each value, with the key that found them.
	type cand struct {
		ref ObjectRef
		via int
	}
	cands := make([][]cand, len(out))
	wanted := map[ObjectRef]bool{}
	for i := range out {
		seen := map[ObjectRef]bool{}
		for _, k := range keysOf[i] {
			for _, r := range refsOf[k] {
				if !seen[r] {
					seen[r] = true
					cands[i] = append(cands[i], cand{r, k})
				}
			}
		}
		slices.SortFunc(cands[i], func(a, b cand) int { return compareRefs(a.ref, b.ref) })
		if len(cands[i]) > MaxLookupMatches {
			cands[i], out[i].Truncated = cands[i][:MaxLookupMatches], true
		}
		for _, c := range cands[i] {
			wanted[c.ref] = true
		}
	}
	// Only collections v may read are looked into.
	readable := map[string]bool{}
	refs := make([]ObjectRef, 0, len(wanted))
	for r := range wanted {
		read, ok := readable[r.Collection]
		if !ok {
			c, err := s.store.STIXCollection(ctx, r.Collection)
			switch {
			case verbund.IsKind(err, verbund.NotFound):
			case err != nil:
				return nil, err
			default:
				read, _ = s.Access(p, v, &c)
			}
			readable[r.Collection] = read
		}
		if read {
			refs = append(refs, r)
		}
	}
	slices.SortFunc(refs, compareRefs)
	all, err := ls.STIXVersionsFor(ctx, refs)
	if err != nil {
		return nil, err
	}
	newest := map[ObjectRef]*Version{}
	for i := range all {
		w := &all[i]
		if o := w.Object(); s.door.Decide(v, &o).Allow {
			newest[ObjectRef{Collection: w.Collection, ID: w.ID}] = w // versions come by version
		}
	}
	for i := range out {
		for _, c := range cands[i] {
			w := newest[c.ref]
			if w == nil {
				continue
			}
			m := LookupMatch{Version: *w, Name: nameOf(w.Raw), Via: keys[c.via]}
			m.Raw = nil
			out[i].Matches = append(out[i].Matches, m)
		}
	}
	return out, nil
}

// blockLengths returns the prefix lengths of the stored blocks when one of
// rs is an address, read again after blockLengthsTTL.
func (s *Service) blockLengths(ctx context.Context, ls LookupStore, rs []LookupResult) (map[string][]int, error) {
	if !slices.ContainsFunc(rs, func(r LookupResult) bool {
		return r.Err == nil && (r.Observable.Type == stix.IPv4Addr || r.Observable.Type == stix.IPv6Addr)
	}) {
		return nil, nil
	}
	c := &s.blocks
	c.mu.Lock()
	defer c.mu.Unlock()
	now := s.now()
	if c.lengths != nil && now.Sub(c.at) < blockLengthsTTL && !now.Before(c.at) {
		return c.lengths, nil
	}
	m, err := ls.STIXBlockLengths(ctx)
	if err != nil {
		return nil, err
	}
	if m == nil {
		m = map[string][]int{}
	}
	c.lengths, c.at = m, now
	return m, nil
}

// noteBlocks records the prefix lengths of the blocks among obs, so that
// this node finds them at once.
func (s *Service) noteBlocks(obs []stix.Observable) {
	c := &s.blocks
	for _, o := range obs {
		n, ok := blockLength(o)
		if !ok {
			continue
		}
		c.mu.Lock()
		if c.lengths != nil && !slices.Contains(c.lengths[o.Type], n) {
			m := make(map[string][]int, len(c.lengths)+1)
			for k, v := range c.lengths {
				m[k] = v
			}
			m[o.Type] = append(slices.Clone(m[o.Type]), n)
			c.lengths = m
		}
		c.mu.Unlock()
	}
}

// blockLength returns the prefix length of o when it is a CIDR block.
func blockLength(o stix.Observable) (int, bool) {
	if o.Type != stix.IPv4Addr && o.Type != stix.IPv6Addr || !strings.Contains(o.Value, "/") {
		return 0, false
	}
	p, err := netip.ParsePrefix(o.Value)
	if err != nil {
		return 0, false
	}
	return p.Bits(), true
}

// covering returns the blocks of the given prefix lengths that contain o,
// an address or a block, without o itself.
func covering(o stix.Observable, lengths []int) []stix.Observable {
	if len(lengths) == 0 {
		return nil
	}
	var p netip.Prefix
	if strings.Contains(o.Value, "/") {
		var err error
		if p, err = netip.ParsePrefix(o.Value); err != nil {
			return nil
		}
	} else {
		a, err := netip.ParseAddr(o.Value)
		if err != nil {
			return nil
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	var out []stix.Observable
	for _, n := range lengths {
		if n >= p.Bits() {
			continue
		}
		b, err := p.Addr().Prefix(n)
		if err != nil {
			continue
		}
		out = append(out, stix.Observable{Type: o.Type, Value: b.String()})
	}
	return out
}

// nameOf returns the name property of an object's JSON, if any.
func nameOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var o struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.Name
}

func compareRefs(a, b ObjectRef) int {
	if c := strings.Compare(a.Collection, b.Collection); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
