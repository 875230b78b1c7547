// Command verbund runs the Verbund platform and its administrative commands.
//
//	verbund serve [--demo]         run the web UI, the API and the workers
//	verbund migrate [--status]     apply (or list) database migrations
//	verbund admin create-user      create an office administrator
//	verbund audit verify           verify the hash chain of the audit log
//	verbund bench                  measure a server through its HTTP API
//	verbund csaf-key export|rotate back up or replace the CSAF provider key
//	verbund version                print the version
//
// Every flag has an environment variable (VERBUND_ADDR for --addr, …);
// a flag given on the command line wins.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "verbund:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors and 1 for everything else.
func exitCode(err error) int {
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `Verbund — the platform of a cyber-security alliance.

Usage:
  verbund serve [flags]            run the web UI, the REST API and the workers
  verbund serve --demo             the same, with a believable demo alliance
  verbund migrate [--status]       apply pending database migrations (or list them)
  verbund admin create-user        create an office administrator (first start without --demo)
  verbund audit verify             verify the hash chain of the audit log
  verbund bench [--objects N]      measure a server through its HTTP API (TAXII, lookups)
  verbund csaf-key export|rotate   back up or replace the CSAF provider key
  verbund version                  print the version

Run 'verbund COMMAND -h' for the flags of a command. Every flag can also be
set through an environment variable: --addr is VERBUND_ADDR, --db is VERBUND_DB.
`

// run is the whole program; main only supplies the process environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "admin":
		return cmdAdmin(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "audit":
		return cmdAudit(ctx, args[1:], getenv, stdout, stderr)
	case "bench":
		return cmdBench(ctx, args[1:], getenv, stdout, stderr)
	case "csaf-key":
		return cmdCSAFKey(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "verbund", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", args[0])}
}
