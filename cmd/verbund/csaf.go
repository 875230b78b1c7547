package main

import (
	"context"
	"fmt"
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
