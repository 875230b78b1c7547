package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/verbund/verbund/internal/demo"
	"github.com/verbund/verbund/internal/designation"
	"github.com/verbund/verbund/internal/federation"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/incident"
	"github.com/verbund/verbund/internal/mail"
	"github.com/verbund/verbund/internal/membership"
	"github.com/verbund/verbund/internal/policy"
	"github.com/verbund/verbund/internal/server"
	"github.com/verbund/verbund/internal/sharing"
	"github.com/verbund/verbund/internal/sharing/stixrelay"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/taxii/client"
	"github.com/verbund/verbund/internal/taxii/cti"
	"github.com/verbund/verbund/internal/warning"
)

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var proxies, countries string
	f := newFlags("serve", getenv, stderr)
	f.str(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	dbFlags(f, &c)
	f.str(&c.BaseURL, "base-url", "", "public URL of this installation, for links in e-mail (default: from --addr)")
	f.str(&c.TLSCert, "tls-cert", "", "PEM certificate file: serve HTTPS")
	f.str(&c.TLSKey, "tls-key", "", "PEM private key file for --tls-cert")
	f.boolean(&c.Demo, "demo", "seed a demo alliance (in DATA/demo.db unless --db is given) and print its logins")
	f.str(&c.SMTP, "smtp", "", "SMTP server for e-mail, smtp://user:password@host:587 (without it, mail is held in the outbox)")
	f.str(&c.MailFrom, "mail-from", "", "sender address of e-mail")
	f.str(&countries, "countries", "DE", "comma-separated countries (ISO 3166-1 alpha-2) whose organisations may register")
	f.str(&c.Activation, "activation", "immediate", "immediate: a verified registration that signed the agreement is active at once; office: the office activates")
	f.str(&c.Regime, "regime", "open", "open: open alliance; hub: designated hub, confidential information only to assessed and designated recipients")
	f.str(&c.CSAFPublisher, "csaf-publisher", "Verbund", "publisher name of the CSAF advisories")
	f.str(&c.CSAFKeyPassphrase, "csaf-key-passphrase", "", "passphrase that encrypts the CSAF provider key in the database; prefer the environment variable")
	f.boolean(&c.PublicReports, "public-reports", "let people without an account report incidents and follow them up with a reference and a secret")
	f.str(&proxies, "trusted-proxies", "", "comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed")
	if err := f.duration(&c.SessionIdle, "session-idle", 2*time.Hour, "a session unused this long ends"); err != nil {
		return err
	}
	if err := f.duration(&c.SessionMax, "session-max", 12*time.Hour, "a session ends this long after login"); err != nil {
		return err
	}
	if err := f.duration(&c.ShutdownGrace, "shutdown-grace", 20*time.Second, "how long to let requests finish on shutdown"); err != nil {
		return err
	}
	if err := f.duration(&c.RemotesEvery, "remotes-every", 15*time.Second, "how often to look for TAXII remotes that are due"); err != nil {
		return err
	}
	f.str(&c.RemoteKeyFile, "remote-key-file", "", "file with a secret (32 bytes or more) that seals TAXII remotes' credentials instead of the key kept in the database")
	if err := f.parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	for _, cc := range strings.Split(countries, ",") {
		if cc = strings.ToUpper(strings.TrimSpace(cc)); cc != "" {
			c.Countries = append(c.Countries, cc)
		}
	}
	if err := c.finishServe(proxies); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	return serve(ctx, c, logger, stdout)
}

// openDB opens and migrates the database, with errors that name the setting.
func openDB(ctx context.Context, c config, logger *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database given by --db (VERBUND_DB) %s: %w", redactURL(c.DB), err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating the database %s failed: %w", redactURL(c.DB), err)
	}
	for _, m := range applied {
		logger.Info("migration applied", "version", m.Version, "name", m.Name)
	}
	return db, nil
}

// csrfKey returns the installation's key for form tokens, made once and kept
// in the database so that every node of an installation shares it.
func csrfKey(ctx context.Context, ids *identity.Service) ([]byte, error) {
	v, err := ids.EnsureSecret(ctx, "server.csrf_key")
	if err != nil {
		return nil, err
	}
	return base64.RawURLEncoding.DecodeString(v)
}

func serve(ctx context.Context, c config, logger *slog.Logger, stdout io.Writer) error {
	// Listen first: with port 0 the system picks the port, and the base URL
	// of links in e-mail and problem types must name the one it picked.
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on --addr (VERBUND_ADDR) %s: %w", c.Addr, err)
	}
	defer ln.Close()
	if u, err := url.Parse(c.BaseURL); err == nil && u.Port() == "0" {
		u.Host = net.JoinHostPort(u.Hostname(), portOf(ln.Addr()))
		c.BaseURL = u.String()
	}
	db, err := openDB(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	icfg := identity.DefaultConfig()
	icfg.SessionIdle, icfg.SessionAbsolute = c.SessionIdle, c.SessionMax
	icfg.BaseURL = c.BaseURL
	icfg.MailHeld = c.SMTP == "" || c.Demo
	icfg.Text = cat.T
	ids := identity.NewService(db.Identity(), icfg)
	mcfg := membership.DefaultConfig()
	mcfg.AllowedCountries, mcfg.Activation = c.Countries, membership.Activation(c.Activation)
	mcfg.MailHeld, mcfg.BaseURL, mcfg.Text = icfg.MailHeld, c.BaseURL, cat.T
	mem := membership.NewService(db.Membership(), mcfg)
	des := designation.NewService(db.Designation(), designation.DefaultConfig())
	pcfg := policy.DefaultConfig()
	if c.Regime == "hub" {
		pcfg.Regime = policy.HubRegime()
	}
	pol, err := policy.New(pcfg)
	if err != nil {
		return fmt.Errorf("the sharing policy: %w", err)
	}
	door := sharing.New(pol, mem, des, des, ids, nil)
	stix := cti.NewService(db.STIX(), door, nil)
	access := sharing.NewAccess(door, db.Access(), sharing.AccessConfig{MailHeld: icfg.MailHeld, BaseURL: c.BaseURL, Text: cat.T})
	warnings := warning.NewService(db.Warnings(), door, warning.Config{IsPartner: warning.Partners(mem)})
	incidents := incident.NewService(db.Incidents(), door, incident.Config{Public: c.PublicReports,
		MailHeld: icfg.MailHeld, BaseURL: c.BaseURL, Text: cat.T})

	key, err := csrfKey(ctx, ids)
	if err != nil {
		return fmt.Errorf("preparing the installation key: %w", err)
	}
	credKey, err := remoteKey(c, key)
	if err != nil {
		return err
	}
	remotes, err := federation.NewService(federation.Config{Key: credKey, Logger: logger,
		Connect: client.Connector(client.Options{}, 2*time.Second, 2*time.Minute)}, db.Federation(), door, stix, db.Identity())
	if err != nil {
		return err
	}
	csafDeps, err := csafProvider(ctx, c, db, warnings, logger)
	if err != nil {
		return err
	}
	var logins []demo.Login
	if c.Demo {
		if logins, err = demo.Seed(ctx, demo.Stores{Identity: db.Identity(), Membership: db.Membership(), Designation: db.Designation(), STIX: db.STIX(), Access: db.Access(), Warnings: db.Warnings(),
			Remotes: db.Federation(), RemoteKey: credKey, Incidents: db.Incidents()}, cat.T); err != nil {
			return fmt.Errorf("seeding the demo: %w", err)
		}
	}
	explainer := sharing.NewExplainer(door, db.Access(), nil)
	relay := stixrelay.New(door, stix, sharing.NewSanitiser(sharing.DefaultRules(), stixrelay.Key(key)), ids, nil)
	handler, err := server.New(server.Config{
		BaseURL: c.BaseURL, TLS: c.TLSCert != "", Demo: c.Demo, TrustedProxies: c.TrustedProxies, Version: version(),
	}, server.Deps{Logger: logger, Identity: ids, Membership: mem, Designation: des, Door: door, STIX: stix,
		Warnings: warnings, CSAF: csafDeps, Access: access, Explainer: explainer, Relay: relay, Audit: db, Mail: db, DB: db, Catalog: cat, CSRFKey: key,
		Remotes: remotes, Incidents: incidents})
	if err != nil {
		return err
	}
	srv := &http.Server{
		Addr:              c.Addr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if c.TLSCert != "" {
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	printBanner(stdout, c.BaseURL, c, logins)

	var sender *mail.SMTP
	if c.SMTP != "" && !c.Demo {
		if sender, err = mail.ParseSMTPURL(c.SMTP, c.MailFrom); err != nil {
			return fmt.Errorf("--smtp (VERBUND_SMTP): %w", err)
		}
	}
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	var wg sync.WaitGroup
	if sender != nil {
		w := &mail.Worker{Store: db, Sender: sender, Logger: logger}
		wg.Go(func() { w.Run(workers) })
	}
	wg.Go(func() { sweepSessions(workers, ids, logger) })
	wg.Go(func() { remotes.Run(workers, c.RemotesEvery) })
	wg.Go(func() { incidents.RunReminders(workers, time.Minute, logger) })

	errc := make(chan error, 1)
	go func() {
		if c.TLSCert != "" {
			errc <- srv.ServeTLS(ln, c.TLSCert, c.TLSKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	logger.Info("listening", "addr", ln.Addr().String(), "base_url", c.BaseURL, "db", string(db.Dialect()), "version", version())
	select {
	case err := <-errc:
		stopWorkers()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "grace", c.ShutdownGrace.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
	defer cancel()
	err = srv.Shutdown(sctx)
	stopWorkers()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// remoteKey returns the key that seals TAXII remotes' credentials: derived
// from --remote-key-file when given, so that a copy of the database alone
// does not open them, else from the installation key.
func remoteKey(c config, installationKey []byte) ([]byte, error) {
	if c.RemoteKeyFile == "" {
		return federation.KeyFrom(installationKey), nil
	}
	b, err := os.ReadFile(c.RemoteKeyFile)
	if err != nil {
		return nil, fmt.Errorf("--remote-key-file (VERBUND_REMOTE_KEY_FILE): %w", err)
	}
	b = bytes.TrimSpace(b)
	if len(b) < 32 {
		return nil, fmt.Errorf("--remote-key-file (VERBUND_REMOTE_KEY_FILE): the secret must be at least 32 bytes, the file holds %d", len(b))
	}
	return federation.KeyFrom(b), nil
}

// sweepSessions removes expired sessions every ten minutes.
func sweepSessions(ctx context.Context, ids *identity.Service, logger *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n, err := ids.SweepSessions(ctx); err != nil && ctx.Err() == nil {
			logger.Warn("removing expired sessions failed", "err", err)
		} else if n > 0 {
			logger.Debug("expired sessions removed", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func portOf(a net.Addr) string {
	_, port, _ := net.SplitHostPort(a.String())
	return port
}

func printBanner(w io.Writer, url string, c config, logins []demo.Login) {
	fmt.Fprintf(w, "Verbund %s is running at %s\n", version(), url)
	if !c.Demo {
		fmt.Fprintf(w, "Database: %s\n", redactURL(c.DB))
		return
	}
	fmt.Fprintf(w, "Demo alliance in %s. Every demo account has the password %q.\n\n", redactURL(c.DB), demo.Password)
	fmt.Fprintf(w, "  %-38s %-34s %s\n", "LOGIN", "ORGANISATION", "ROLES")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-38s %-34s %s\n", l.Email, l.Org, l.Roles)
	}
	fmt.Fprintln(w, "\nE-mail is not sent in demo mode: the office admin reads it under Outbox.")
}
