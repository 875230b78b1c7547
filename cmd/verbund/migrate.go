package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	var status bool
	f := newFlags("migrate", getenv, stderr)
	dbFlags(f, &c)
	f.fs.BoolVar(&status, "status", false, "list the migrations and when they were applied, change nothing")
	if err := f.parse(args); err != nil {
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
	if status {
		db, err := openRaw(ctx, c)
		if err != nil {
			return err
		}
		defer db.Close()
		ms, err := db.MigrationStatus(ctx)
		if err != nil {
			return err
		}
		for _, m := range ms {
			when := "pending"
			if !m.AppliedAt.IsZero() {
				when = "applied " + m.AppliedAt.Format("2006-01-02 15:04:05 UTC")
			}
			fmt.Fprintf(stdout, "%04d  %-30s %s\n", m.Version, m.Name, when)
		}
		return nil
	}
	db, err := openDB(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "database %s is up to date\n", redactURL(c.DB))
	return nil
}
