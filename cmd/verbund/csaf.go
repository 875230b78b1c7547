package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/verbund/verbund/internal/csaf"
	"github.com/verbund/verbund/internal/server"
	"github.com/verbund/verbund/internal/store"
	"github.com/verbund/verbund/internal/warning"
)

// csafProvider prepares the CSAF trusted provider: the provider key (made
// on first start and kept in the database, encrypted with
// --csaf-key-passphrase) and the warnings it publishes.
func csafProvider(ctx context.Context, c config, db *store.DB, warnings *warning.Service, logger *slog.Logger) (*server.CSAFProvider, error) {
	if c.CSAFKeyPassphrase == "" && !c.Demo {
		logger.Warn("the CSAF provider key is kept unencrypted in the database: set VERBUND_CSAF_KEY_PASSPHRASE")
	}
	key, err := csaf.EnsureKey(ctx, db.Identity(), c.CSAFPublisher+" CSAF provider", "", []byte(c.CSAFKeyPassphrase), time.Now())
	if err != nil {
		return nil, fmt.Errorf("the CSAF provider key: %w", err)
	}
	return &server.CSAFProvider{
		Warnings: warnings,
		Refs:     db,
		Key:      key,
		Provider: csaf.Provider{Name: c.CSAFPublisher},
	}, nil
}

// cmdCSAFKey exports or rotates the CSAF provider key.
func cmdCSAFKey(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "rotate") {
		fmt.Fprintln(stderr, "usage: verbund csaf-key export|rotate [--db DSN]")
		return usageError{"csaf-key needs a sub-command: export or rotate"}
	}
	var c config
	f := newFlags("csaf-key "+args[0], getenv, stderr)
	dbFlags(f, &c)
	f.str(&c.CSAFPublisher, "csaf-publisher", "Verbund", "publisher name of the CSAF advisories")
	f.str(&c.CSAFKeyPassphrase, "csaf-key-passphrase", "", "passphrase that encrypts the CSAF provider key in the database; prefer the environment variable")
	if err := f.parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if err := c.finishDB(); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "export" {
		v, err := csaf.ExportKey(ctx, db.Identity())
		if err != nil {
			return err
		}
		if v == "" {
			return errors.New("there is no CSAF provider key yet: it is made on the first start of verbund serve")
		}
		_, err = io.WriteString(stdout, v+"\n")
		return err
	}
	k, err := csaf.RotateKey(ctx, db.Identity(), c.CSAFPublisher+" CSAF provider", "", []byte(c.CSAFKeyPassphrase), time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "new CSAF provider key %s; restart every node to sign with it\n", k.Fingerprint())
	return nil
}
