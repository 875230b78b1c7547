package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/verbund/verbund"
	"github.com/verbund/verbund/internal/i18n"
	"github.com/verbund/verbund/internal/identity"
	"github.com/verbund/verbund/internal/store"
)

func cmdAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create-user" {
		fmt.Fprintln(stderr, "usage: verbund admin create-user --email ADDRESS --name NAME [--office NAME] [--country CC]")
		return usageError{"admin needs a sub-command: create-user"}
	}
	var c config
	var email, name, office, country string
	f := newFlags("admin create-user", getenv, stderr)
	dbFlags(f, &c)
	f.fs.StringVar(&email, "email", "", "e-mail address of the new office administrator (required)")
	f.fs.StringVar(&name, "name", "", "full name (required)")
	f.fs.StringVar(&office, "office", "Office", "name of the office organisation, if it does not exist yet")
	f.fs.StringVar(&country, "country", "DE", "country of the office, if it does not exist yet")
	if err := f.parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if email == "" || name == "" {
		return usageError{"--email and --name are required"}
	}
	if err := c.finishDB(); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	password := getenv("VERBUND_ADMIN_PASSWORD")
	if password == "" {
		if password, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	if msg := identity.CheckPasswordPolicy(password); msg != "" {
		return fmt.Errorf("the password must have %s", msg)
	}
	db, err := openDB(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg := identity.DefaultConfig()
	cfg.Text = i18n.MustLoad().T
	cfg.MailHeld = true
	ids := identity.NewService(db.Identity(), cfg)
	sys := identity.SystemPrincipal()
	org, err := officeOrg(ctx, db, ids, office, country)
	if err != nil {
		return err
	}
	u, err := ids.CreateUser(ctx, sys, identity.NewUser{OrgID: org.ID, Email: email, Name: name, Password: password,
		Roles: []identity.Role{identity.RoleOfficeAdmin, identity.RoleOrgAdmin}})
	if err != nil {
		if fields := verbund.ErrorFields(err); len(fields) > 0 {
			var parts []string
			for k, v := range fields {
				parts = append(parts, k+": "+v)
			}
			return fmt.Errorf("cannot create the user: %s", strings.Join(parts, "; "))
		}
		return fmt.Errorf("cannot create the user: %w", err)
	}
	fmt.Fprintf(stdout, "created office administrator %s (%s) in %q\n", u.Email, u.ID, org.Name)
	return nil
}

// officeOrg returns the office organisation, creating it on first use.
func officeOrg(ctx context.Context, db *store.DB, ids *identity.Service, name, country string) (identity.Organisation, error) {
	offices, err := db.ListOrganisations(ctx, identity.OrgFilter{Kind: identity.KindOffice})
	if err != nil {
		return identity.Organisation{}, err
	}
	if len(offices) > 0 {
		return offices[0], nil
	}
	return ids.CreateOrganisation(ctx, identity.SystemPrincipal(), identity.NewOrganisation{
		Name: name, Kind: identity.KindOffice, Status: identity.StatusActive, Country: country,
	})
}

// readPassword asks for the password twice on a terminal, or reads one line
// from a pipe.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password (at least 12 characters): ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && (err != io.EOF || line == "") {
		return "", errors.New("no password given: set VERBUND_ADMIN_PASSWORD or pipe it on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
