package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/verbund/verbund/internal/audit"
	"github.com/verbund/verbund/internal/store"
)

func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: verbund audit verify [--anchor SEQ:HASH]")
		return usageError{"audit needs a sub-command: verify"}
	}
	var c config
	var anchor string
	f := newFlags("audit verify", getenv, stderr)
	dbFlags(f, &c)
	f.fs.StringVar(&anchor, "anchor", "", "SEQ:HASH of an entry recorded earlier outside Verbund; verify also checks it is still in the chain (this detects a log cut short)")
	if err := f.parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	var anchorSeq int64
	var anchorHash string
	if anchor != "" {
		s, h, ok := strings.Cut(anchor, ":")
		n, err := strconv.ParseInt(s, 10, 64)
		if !ok || err != nil || n < 1 || len(h) != 64 {
			return usageError{"--anchor must be SEQ:HASH, e.g. 1042:3f9a… (the 64 hex digits printed by an earlier verify)"}
		}
		anchorSeq, anchorHash = n, strings.ToLower(h)
	}
	if err := c.finishDB(); err != nil {
		return err
	}
	db, err := openRaw(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var v audit.Verifier
	var last audit.Entry
	anchorSeen := false
	err = db.WalkAudit(ctx, func(e audit.Entry) error {
		if err := v.Next(e); err != nil {
			return err
		}
		if e.Seq == anchorSeq {
			anchorSeen = true
			if e.Hash != anchorHash {
				return &audit.Break{Seq: e.Seq, Reason: "does not match the anchor: the log was rewritten from here or before"}
			}
		}
		last = e
		return nil
	})
	var br *audit.Break
	if errors.As(err, &br) {
		fmt.Fprintf(stdout, "BROKEN: %v\n", br)
		fmt.Fprintf(stdout, "%d entries before it verified.\n", v.Count())
		return fmt.Errorf("audit chain broken at entry %d", br.Seq)
	}
	if err != nil {
		return err
	}
	if anchorSeq > 0 && !anchorSeen {
		fmt.Fprintf(stdout, "BROKEN: the anchor entry %d is missing: the log was cut short after entry %d\n", anchorSeq, last.Seq)
		return fmt.Errorf("audit chain broken: entry %d missing", anchorSeq)
	}
	if v.Count() == 0 {
		fmt.Fprintln(stdout, "the audit log is empty")
		return nil
	}
	fmt.Fprintf(stdout, "audit log intact: %d entries\nhead: %d:%s\n", v.Count(), last.Seq, last.Hash)
	fmt.Fprintln(stdout, "Record the head outside Verbund and pass it as --anchor next time to detect a log cut short.")
	return nil
}

// openRaw opens the database without migrating it. A SQLite file that does
// not exist is an error: opening would create an empty one.
func openRaw(ctx context.Context, c config) (*store.DB, error) {
	if !strings.Contains(c.DB, "://") {
		if _, err := os.Stat(strings.TrimPrefix(c.DB, "file:")); err != nil {
			return nil, fmt.Errorf("there is no database at %s (--db, VERBUND_DB): %w", c.DB, err)
		}
	}
	db, err := store.Open(ctx, c.DB)
	if err != nil {
		return nil, fmt.Errorf("cannot open the database given by --db (VERBUND_DB) %s: %w", redactURL(c.DB), err)
	}
	return db, nil
}
