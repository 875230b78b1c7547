package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/stix"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/taxii/cti"
)

// The bench command measures a Verbund server through its HTTP API, as an
// outside TAXII and REST client would: ingest, paging, get by id, batch
// lookups. It talks to loopback addresses only, and every phase is bounded
// in count and by --timeout.

const (
	mediaTAXII      = "application/taxii+json;version=2.1"
	benchMaxObjects = 2_000_000
	// benchSmallShare is the share of the objects ingested in envelopes of
	// 100; the rest go in envelopes of 1000.
	benchSmallShare = 10
)

// benchConfig is what the bench command was asked to do.
type benchConfig struct {
	URL, Token, ReadToken string // a running server; tokens with intel:write and intel:read
	Collection            string // its collection to add to ("" : the first the token may write)
	DB                    string // else: a server started here on this database ("" : a temporary SQLite)
	Objects               int
	Clients               int // concurrent ingest clients
	Lookups               int // values looked up in all
	Gets                  int // objects read by id
	Timeout               time.Duration
	CPUProfile            string // file to write a CPU profile of the run to
}

func cmdBench(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var (
		c                               benchConfig
		objects, clients, lookups, gets string
		f                               = newFlags("bench", getenv, stderr)
	)
	f.str(&c.URL, "url", "", "base URL of a running Verbund on a loopback address; empty: start one here")
	f.str(&c.Token, "token", "", "with --url: API token with intel:read and intel:write")
	f.str(&c.ReadToken, "read-token", "", "with --url: API token that pages and looks up (default: --token)")
	f.str(&c.Collection, "collection", "", "with --url: the collection to add to (default: the first the token may write)")
	f.str(&c.DB, "bench-db", "", "without --url: a postgres:// URL (a fresh schema is made in it and dropped), or empty for a temporary SQLite")
	f.str(&objects, "objects", "100000", "how many indicators to add (at most 2,000,000)")
	f.str(&clients, "clients", "2", "concurrent ingest clients")
	f.str(&lookups, "lookups", "100000", "values to look up in batches of 10,000")
	f.str(&gets, "gets", "1000", "objects to read by id")
	f.str(&c.CPUProfile, "cpuprofile", "", "write a CPU profile of the run (client and, without --url, server) to this file")
	if err := f.duration(&c.Timeout, "timeout", 30*time.Minute, "stop the run after this long"); err != nil {
		return err
	}
	if err := f.parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	for _, n := range []struct {
		name     string
		s        string
		p        *int
		min, max int
	}{{"objects", objects, &c.Objects, 100, benchMaxObjects}, {"clients", clients, &c.Clients, 1, 16},
		{"lookups", lookups, &c.Lookups, 0, 10_000_000}, {"gets", gets, &c.Gets, 0, 100_000}} {
		v, err := strconv.Atoi(strings.ReplaceAll(n.s, "_", ""))
		if err != nil || v < n.min || v > n.max {
			return usageError{fmt.Sprintf("--%s must be a number from %d to %d", n.name, n.min, n.max)}
		}
		*n.p = v
	}
	if c.URL != "" {
		if err := loopbackOnly(c.URL); err != nil {
			return err
		}
		if c.Token == "" {
			return usageError{"--url needs --token"}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	if c.CPUProfile != "" {
		pf, err := os.Create(c.CPUProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return bench(ctx, c, stdout, stderr)
}

// loopbackOnly refuses a URL whose host is not a loopback address: the
// bench loads a server heavily and must not be pointed at somebody's.
func loopbackOnly(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" && u.Scheme != "https" {
		return usageError{"--url must be an http:// or https:// URL"}
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usageError{"--url must name a loopback address (127.0.0.1, ::1 or localhost)"}
	}
	return nil
}

// benchTarget is the server under test.
type benchTarget struct {
	base              string
	write, read       string // tokens
	collection        string
	dialect           string
	visibleShare      string // what the reading token may see, for the report
	stop              func() error
	client            *http.Client
	requests, refused atomic.Int64
}

func bench(ctx context.Context, c benchConfig, stdout, stderr io.Writer) error {
	t, err := benchStart(ctx, c, stderr)
	if err != nil {
		return err
	}
	defer func() {
		if t.stop != nil {
			_ = t.stop()
		}
	}()
	fmt.Fprintf(stderr, "bench: server at %s (%s), adding %d indicators\n", t.base, t.dialect, c.Objects)
	var rows [][2]string
	add := func(k, v string) { rows = append(rows, [2]string{k, v}) }
	// cpu returns, when the server runs in this process, the processor
	// time since the phase began per thing done, client included.
	cpu := func(since time.Duration, n int, what string) string {
		used := cpuTime() - since
		if t.stop == nil || used <= 0 || n == 0 {
			return ""
		}
		return fmt.Sprintf("; %s CPU-s, %s %s per CPU-second", strconv.FormatFloat(used.Seconds(), 'f', 2, 64), count(float64(n)/used.Seconds()), what)
	}

	small := c.Objects / benchSmallShare
	small -= small % 100
	ids := make([]string, 0, c.Objects)
	for _, size := range []int{100, 1000} {
		n := small
		if size == 1000 {
			n = c.Objects - small
		}
		if n <= 0 {
			continue
		}
		c0 := cpuTime()
		took, got, err := t.ingest(ctx, len(ids), n, size, c.Clients, &ids)
		if err != nil {
			return err
		}
		add(fmt.Sprintf("TAXII ingest, envelopes of %d, %d clients", size, c.Clients),
			fmt.Sprintf("%s objects/s (%s objects in %s%s)", count(float64(got)/took.Seconds()), count(float64(got)), round(took),
				cpu(c0, got, "objects")))
	}
	fmt.Fprintf(stderr, "bench: paging\n")
	c0 := cpuTime()
	pages, seen, took, err := t.page(ctx)
	if err != nil {
		return err
	}
	slices.Sort(pages)
	add(fmt.Sprintf("TAXII paging, limit=1000, reader who sees %s", t.visibleShare),
		fmt.Sprintf("%s objects/s (%s objects, %d pages in %s%s)", count(float64(seen)/took.Seconds()), count(float64(seen)), len(pages), round(took),
			cpu(c0, len(pages), "pages")))
	add("  page latency p50 / p99 / max", fmt.Sprintf("%s / %s / %s", ms(quantile(pages, 0.5)), ms(quantile(pages, 0.99)), ms(pages[len(pages)-1])))

	if c.Gets > 0 && len(ids) > 0 {
		fmt.Fprintf(stderr, "bench: get by id\n")
		lat, found, err := t.getByID(ctx, ids, c.Gets)
		if err != nil {
			return err
		}
		slices.Sort(lat)
		add("TAXII get object by id", fmt.Sprintf("p50 %s, p99 %s (%d requests, %d found, the rest not for the reader)",
			ms(quantile(lat, 0.5)), ms(quantile(lat, 0.99)), len(lat), found))
	}
	if c.Lookups > 0 {
		fmt.Fprintf(stderr, "bench: lookups\n")
		c0 := cpuTime()
		n, hits, took, err := t.lookups(ctx, c.Objects, c.Lookups)
		if err != nil {
			return err
		}
		add("Batch lookups, 10,000 values per request", fmt.Sprintf("%s observables/s (%s values in %s, %s with a visible match%s)",
			count(float64(n)/took.Seconds()), count(float64(n)), round(took), count(float64(hits)), cpu(c0, n, "values")))
	}

	fmt.Fprintf(stdout, "\n%s, %s, %s objects, %d CPUs, %s\n\n", t.dialect, time.Now().UTC().Format("2006-01-02"), count(float64(c.Objects)),
		runtime.NumCPU(), version())
	fmt.Fprintln(stdout, "| measurement | result |")
	fmt.Fprintln(stdout, "|---|---|")
	for _, r := range rows {
		fmt.Fprintf(stdout, "| %s | %s |\n", r[0], r[1])
	}
	return nil
}

// benchStart returns the target: the running server of --url, or one
// started here on a fresh database with the organisations, tokens and
// collection of the run.
func benchStart(ctx context.Context, c benchConfig, stderr io.Writer) (*benchTarget, error) {
	t := &benchTarget{client: &http.Client{Timeout: 5 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
	if c.URL != "" {
		t.base, t.write, t.read, t.collection, t.dialect = strings.TrimSuffix(c.URL, "/"), c.Token, c.ReadToken, c.Collection, "running server"
		t.visibleShare = "what its token may see"
		if t.read == "" {
			t.read = t.write
		}
		if t.collection == "" {
			id, err := t.writableCollection(ctx)
			if err != nil {
				return nil, err
			}
			t.collection = id
		}
		return t, nil
	}
	dsn, dialect, cleanup, err := benchDatabase(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	t.dialect = dialect
	if err := t.seed(ctx, dsn); err != nil {
		cleanup()
		return nil, err
	}
	base, stop, err := benchServe(ctx, dsn, stderr)
	if err != nil {
		cleanup()
		return nil, err
	}
	t.base = base
	t.stop = func() error {
		err := stop()
		cleanup()
		return err
	}
	t.visibleShare = "half of them (TLP:GREEN, not the TLP:AMBER half)"
	return t, nil
}

// benchDatabase returns the DSN of a fresh database and a function that
// removes it: a temporary SQLite file, or a new schema in the PostgreSQL
// database of pg.
func benchDatabase(ctx context.Context, pg string) (dsn, dialect string, cleanup func(), err error) {
	if pg == "" {
		dir, err := os.MkdirTemp("", "verbund-bench-")
		if err != nil {
			return "", "", nil, err
		}
		return filepath.Join(dir, "bench.db"), "SQLite (embedded)", func() { os.RemoveAll(dir) }, nil
	}
	u, err := url.Parse(pg)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "", "", nil, usageError{"--bench-db must be a postgres:// URL"}
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", "", nil, usageError{"--bench-db must name a database on a loopback address"}
	}
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		return "", "", nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "bench_" + hex.EncodeToString(b) // ours, hex only: safe to splice in
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("creating a schema for the run: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), "PostgreSQL", func() {
		_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}, nil
}

// seed creates, in the database at dsn, the office, a writing member
// (Stadtwerke, sector energy) and a reading member (Bank, sector finance),
// both bound by the agreement, a collection of the writer shared with the
// community at TLP:GREEN (its TLP:AMBER objects reach the writer alone),
// and an API token of each member.
func (t *benchTarget) seed(ctx context.Context, dsn string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	icfg := identity.DefaultConfig()
	icfg.Argon2, icfg.MailHeld = identity.FastArgon2, true
	ids := identity.NewService(db.Identity(), icfg)
	mcfg := membership.DefaultConfig()
	mcfg.Argon2, mcfg.MailHeld = identity.FastArgon2, true
	mem := membership.NewService(db.Membership(), mcfg)
	des := designation.NewService(db.Designation(), designation.DefaultConfig())
	pol, err := policy.New(policy.DefaultConfig())
	if err != nil {
		return err
	}
	svc := cti.NewService(db.STIX(), sharing.New(pol, mem, des, des, ids, nil), nil)
	sys := identity.SystemPrincipal()
	admin := func(name string, kind identity.OrgKind, role identity.Role, sector string) (identity.Principal, error) {
		o, err := ids.CreateOrganisation(ctx, sys, identity.NewOrganisation{Name: name, Kind: kind, Country: "DE", Sectors: []string{sector}})
		if err != nil {
			return identity.Principal{}, err
		}
		u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: o.ID, Email: "admin@" + strings.ToLower(strings.Fields(name)[0]) + ".example",
			Name: "Admin " + name, Password: "correct horse battery staple", Roles: []identity.Role{role}})
		if err != nil {
			return identity.Principal{}, err
		}
		return ids.Principal(ctx, u.ID)
	}
	office, err := admin("Office", identity.KindOffice, identity.RoleOfficeAdmin, "public-administration")
	if err != nil {
		return err
	}
	agr, err := mem.PublishAgreement(ctx, office, map[string]string{"de": "Vertraulichkeit", "nl": "Vertrouwelijkheid", "en": "Confidentiality"})
	if err != nil {
		return err
	}
	var members []identity.Principal
	for _, m := range [][2]string{{"Stadtwerke Bench", "energy"}, {"Bank Bench", "finance"}} {
		p, err := admin(m[0], identity.KindMember, identity.RoleOrgAdmin, m[1])
		if err != nil {
			return err
		}
		if _, err := mem.Sign(ctx, p, p.OrgID(), agr.Version, "de"); err != nil {
			return err
		}
		members = append(members, p)
	}
	writer, reader := members[0], members[1]
	col, err := svc.CreateCollection(ctx, writer, cti.NewCollection{Title: "Bench indicators", OwnerOrg: writer.OrgID(),
		Default: policy.Marking{TLP: policy.Green, Audience: policy.Audience{Community: true, Orgs: []string{writer.OrgID()}}}})
	if err != nil {
		return err
	}
	t.collection = col.ID
	if t.write, _, err = ids.CreateToken(ctx, writer, identity.NewToken{OrgID: writer.OrgID(), Name: "bench",
		Scopes: []identity.Scope{identity.ScopeIntelRead, identity.ScopeIntelWrite}}); err != nil {
		return err
	}
	if t.read, _, err = ids.CreateToken(ctx, reader, identity.NewToken{OrgID: reader.OrgID(), Name: "bench",
		Scopes: []identity.Scope{identity.ScopeIntelRead}}); err != nil {
		return err
	}
	return nil
}

// benchServe runs `verbund serve` on a free loopback port of the database
// at dsn and returns its base URL and a function that stops it.
func benchServe(ctx context.Context, dsn string, stderr io.Writer) (string, func() error, error) {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--log-level", "warn", "--shutdown-grace", "5s"},
			func(string) string { return "" }, nil, pw, stderr)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	stop := func() error {
		cancel()
		return <-done
	}
	line, err := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	if err != nil {
		return "", nil, fmt.Errorf("the server did not start: %w", stop())
	}
	m := regexp.MustCompile(`is running at (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if m == nil {
		return "", nil, fmt.Errorf("the server said %q: %w", line, stop())
	}
	return m[1], stop, nil
}

// do sends a request with token and returns status and body; a status
// other than want is an error.
func (t *benchTarget) do(ctx context.Context, method, path, token, ctype string, body []byte, want ...int) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, t.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if strings.HasPrefix(path, "/taxii2/") {
		req.Header.Set("Accept", mediaTAXII)
	} else {
		req.Header.Set("Accept", "application/json")
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	t.requests.Add(1)
	if err != nil {
		return 0, nil, err
	}
	if !slices.Contains(want, resp.StatusCode) {
		return resp.StatusCode, b, fmt.Errorf("%s %s: status %d: %.300s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, b, nil
}

// writableCollection returns the first collection the write token may add
// to.
func (t *benchTarget) writableCollection(ctx context.Context) (string, error) {
	_, b, err := t.do(ctx, "GET", "/taxii2/api/collections/", t.write, "", nil, http.StatusOK)
	if err != nil {
		return "", err
	}
	var cs struct {
		Collections []struct {
			ID       string `json:"id"`
			CanWrite bool   `json:"can_write"`
		} `json:"collections"`
	}
	if err := json.Unmarshal(b, &cs); err != nil {
		return "", err
	}
	for _, c := range cs.Collections {
		if c.CanWrite {
			return c.ID, nil
		}
	}
	return "", errors.New("the token may add to no collection; give --collection")
}

// benchObservable returns the value indicator i compares, unique per i:
// an IPv4 address, a domain name, a SHA-256 hash or a URL in turn.
func benchObservable(i int) (pattern, value string) {
	switch i % 4 {
	case 0:
		v := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		if i >= 1<<24 {
			v = fmt.Sprintf("100.%d.%d.%d", i>>16&63|64, i>>8&255, i&255)
		}
		return "[ipv4-addr:value = '" + v + "']", v
	case 1:
		v := fmt.Sprintf("host-%d.bench.example", i)
		return "[domain-name:value = '" + v + "']", v
	case 2:
		v := fmt.Sprintf("%064x", uint64(i)*0x9e3779b97f4a7c15)
		return "[file:hashes.'SHA-256' = '" + v + "']", v
	}
	v := fmt.Sprintf("https://bench.example/%d/login.php", i)
	return "[url:value = '" + v + "']", v
}

// benchID returns the id of indicator i of the run tag.
func benchID(tag string, i int) string {
	return fmt.Sprintf("indicator--%s-0000-4000-8000-%012x", tag, i)
}

// envelope returns the TAXII envelope of indicators from to from+n; every
// other one is TLP:AMBER, the rest get the collection's TLP:GREEN.
func envelope(tag string, from, n int) []byte {
	var b bytes.Buffer
	b.Grow(n * 520)
	b.WriteString(`{"objects":[`)
	for i := from; i < from+n; i++ {
		if i > from {
			b.WriteByte(',')
		}
		pattern, _ := benchObservable(i)
		marking := ""
		if i%2 == 1 {
			marking = `,"object_marking_refs":["` + stix.TLP2Amber + `"]`
		}
		fmt.Fprintf(&b, `{"type":"indicator","spec_version":"2.1","id":%q,"created":"2026-11-01T08:00:00.000Z",`+
			`"modified":"2026-11-01T08:00:00.000Z","name":"Bench indicator %d","indicator_types":["malicious-activity"],`+
			`"pattern":%q,"pattern_type":"stix","valid_from":"2026-11-01T08:00:00Z"%s}`, benchID(tag, i), i, pattern, marking)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// ingest adds n indicators, numbered from first, in envelopes of size,
// from clients concurrent clients, and appends their ids to ids.
func (t *benchTarget) ingest(ctx context.Context, first, n, size, clients int, ids *[]string) (time.Duration, int, error) {
	tag := fmt.Sprintf("%08x", mrand.Uint32())
	path := "/taxii2/api/collections/" + t.collection + "/objects/"
	var (
		next     atomic.Int64
		added    atomic.Int64
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				k := int(next.Add(1)) - 1
				from := k * size
				if from >= n || ctx.Err() != nil {
					return
				}
				m := min(size, n-from)
				_, b, err := t.do(ctx, "POST", path, t.write, mediaTAXII, envelope(tag, first+from, m), http.StatusAccepted)
				if err == nil {
					var st struct {
						Success int `json:"success_count"`
						Failure int `json:"failure_count"`
					}
					if err = json.Unmarshal(b, &st); err == nil && st.Failure > 0 {
						err = fmt.Errorf("%d objects of an envelope were refused: %.300s", st.Failure, b)
					}
					added.Add(int64(st.Success))
				}
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(start)
	if firstErr != nil {
		return 0, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, fmt.Errorf("the run took longer than --timeout: %w", err)
	}
	for i := range n {
		*ids = append(*ids, benchID(tag, first+i))
	}
	return took, int(added.Load()), nil
}

// page reads the whole collection as the reader, 1000 objects a page, and
// returns the latency of each page, the objects seen and the time taken.
func (t *benchTarget) page(ctx context.Context) ([]time.Duration, int, time.Duration, error) {
	path := "/taxii2/api/collections/" + t.collection + "/objects/?limit=1000"
	var (
		lat  []time.Duration
		seen int
		next string
	)
	start := time.Now()
	for {
		s := time.Now()
		_, b, err := t.do(ctx, "GET", path+next, t.read, "", nil, http.StatusOK)
		lat = append(lat, time.Since(s))
		if err != nil {
			return nil, 0, 0, err
		}
		var env struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return nil, 0, 0, err
		}
		seen += len(env.Objects)
		if !env.More {
			break
		}
		next = "&next=" + url.QueryEscape(env.Next)
	}
	return lat, seen, time.Since(start), nil
}

// getByID reads n objects of ids, chosen at random, by id as the reader;
// those not for it answer 404.
func (t *benchTarget) getByID(ctx context.Context, ids []string, n int) ([]time.Duration, int, error) {
	lat := make([]time.Duration, 0, n)
	found := 0
	for range n {
		id := ids[mrand.IntN(len(ids))]
		s := time.Now()
		status, _, err := t.do(ctx, "GET", "/taxii2/api/collections/"+t.collection+"/objects/"+id+"/", t.read, "", nil,
			http.StatusOK, http.StatusNotFound)
		lat = append(lat, time.Since(s))
		if err != nil {
			return nil, 0, err
		}
		if status == http.StatusOK {
			found++
		}
	}
	return lat, found, nil
}

// lookups looks up n values in batches of 10,000 as the reader: values of
// the indicators added (a random one of objects), a quarter of them values
// nobody added.
func (t *benchTarget) lookups(ctx context.Context, objects, n int) (int, int, time.Duration, error) {
	const batch = cti.MaxLookupValues
	var (
		done, hits int
		took       time.Duration
	)
	for done < n {
		m := min(batch, n-done)
		values := make([]string, m)
		for i := range values {
			if i%4 == 3 {
				values[i] = fmt.Sprintf("unknown-%d.bench.example", mrand.Int())
				continue
			}
			_, values[i] = benchObservable(mrand.IntN(objects))
		}
		body, _ := json.Marshal(map[string]any{"values": values})
		s := time.Now()
		_, b, err := t.do(ctx, "POST", "/api/v1/intel/lookup", t.read, "application/json", body, http.StatusOK)
		took += time.Since(s)
		if err != nil {
			return 0, 0, 0, err
		}
		var out struct {
			Results []struct {
				Matches []json.RawMessage `json:"matches"`
			} `json:"results"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			return 0, 0, 0, err
		}
		if len(out.Results) != m {
			return 0, 0, 0, fmt.Errorf("a batch of %d values was answered with %d results", m, len(out.Results))
		}
		for _, r := range out.Results {
			if len(r.Matches) > 0 {
				hits++
			}
		}
		done += m
	}
	return done, hits, took, nil
}

// quantile returns the q-quantile of sorted (nearest rank).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func round(d time.Duration) string { return d.Round(10 * time.Millisecond).String() }

// count writes n rounded, with thousands separated by commas.
func count(n float64) string {
	s := strconv.FormatInt(int64(math.Round(n)), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
