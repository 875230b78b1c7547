package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// config is every setting of Verbund, read once from flags and environment.
type config struct {
	Addr           string
	DataDir        string
	DB             string
	BaseURL        string
	TLSCert        string
	TLSKey         string
	Demo           bool
	SMTP           string
	MailFrom       string
	LogLevel       string
	LogFormat      string
	TrustedProxies []netip.Prefix
	SessionIdle    time.Duration
	SessionMax     time.Duration
	ShutdownGrace  time.Duration
	Countries      []string // countries whose organisations may register
	Activation     string   // "immediate" or "office"
	Regime         string   // "open" (open alliance) or "hub" (designated hub)
	// CSAFPublisher names the publisher of the CSAF documents;
	// CSAFKeyPassphrase encrypts the provider key in the database.
	CSAFPublisher     string
	CSAFKeyPassphrase string

	RemotesEvery  time.Duration // how often the TAXII remotes worker looks for due remotes
	RemoteKeyFile string        // "" or a file whose secret seals the remotes' credentials
	PublicReports bool          // people without an account may report incidents
}

// envFlags registers flags whose defaults come from VERBUND_* variables.
type envFlags struct {
	fs     *flag.FlagSet
	getenv func(string) string
	envs   map[string]string // flag name → variable
}

func newFlags(name string, getenv func(string) string, stderr io.Writer) *envFlags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return &envFlags{fs: fs, getenv: getenv, envs: map[string]string{}}
}

func envName(flagName string) string {
	return "VERBUND_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

func (f *envFlags) str(p *string, name, def, help string) {
	env := envName(name)
	if v := f.getenv(env); v != "" {
		def = v
	}
	f.envs[name] = env
	f.fs.StringVar(p, name, def, help+" ("+env+")")
}

func (f *envFlags) boolean(p *bool, name string, help string) {
	env := envName(name)
	def := false
	if v := f.getenv(env); v == "1" || strings.EqualFold(v, "true") {
		def = true
	}
	f.envs[name] = env
	f.fs.BoolVar(p, name, def, help+" ("+env+")")
}

func (f *envFlags) duration(p *time.Duration, name string, def time.Duration, help string) error {
	env := envName(name)
	if v := f.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%s=%q is not a duration (write it like 30m or 12h)", env, v)
		}
		def = d
	}
	f.envs[name] = env
	f.fs.DurationVar(p, name, def, help+" ("+env+")")
	return nil
}

func (f *envFlags) parse(args []string) error {
	if err := f.fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return usageError{err.Error()}
	}
	if f.fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", f.fs.Arg(0))}
	}
	return nil
}

// dbFlags registers the settings every command that opens the database needs.
func dbFlags(f *envFlags, c *config) {
	f.str(&c.DataDir, "data", "verbund-data", "data directory for the embedded database and keys")
	f.str(&c.DB, "db", "", "database: a postgres:// URL, or a SQLite file path (default: DATA/verbund.db)")
	f.str(&c.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.str(&c.LogFormat, "log-format", "text", "log format: text or json")
}

// finishDB validates the database settings and fills in defaults.
func (c *config) finishDB() error {
	if c.DB == "" {
		name := "verbund.db"
		if c.Demo {
			// The demo never mixes its made-up alliance into a real database.
			name = "demo.db"
		}
		c.DB = filepath.Join(c.DataDir, name)
	}
	if strings.HasPrefix(c.DB, "postgres://") || strings.HasPrefix(c.DB, "postgresql://") {
		if _, err := url.Parse(c.DB); err != nil {
			return fmt.Errorf("--db (VERBUND_DB) is not a valid PostgreSQL URL: %v", err)
		}
		return nil
	}
	if strings.Contains(c.DB, "://") {
		return fmt.Errorf("--db (VERBUND_DB) %q: use a postgres:// URL or a file path for SQLite", redactURL(c.DB))
	}
	return nil
}

// finishServe validates the settings of serve.
func (c *config) finishServe(proxies string) error {
	if err := c.finishDB(); err != nil {
		return err
	}
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		return fmt.Errorf("--addr (VERBUND_ADDR) %q must be host:port, e.g. 127.0.0.1:8080 or :8080", c.Addr)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return fmt.Errorf("--tls-cert and --tls-key (VERBUND_TLS_CERT, VERBUND_TLS_KEY) go together: give both or neither")
	}
	for _, p := range []string{c.TLSCert, c.TLSKey} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("cannot read the TLS file %s: %v", p, err)
		}
	}
	if c.BaseURL == "" {
		scheme := "http"
		if c.TLSCert != "" {
			scheme = "https"
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "localhost"
		}
		c.BaseURL = scheme + "://" + net.JoinHostPort(host, port)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("--base-url (VERBUND_BASE_URL) %q must be an http(s) URL without a path, e.g. https://verbund.example.org", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.SMTP != "" && c.MailFrom == "" {
		return fmt.Errorf("--mail-from (VERBUND_MAIL_FROM) is required when --smtp is set")
	}
	for _, s := range strings.Split(proxies, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, aerr := netip.ParseAddr(s)
			if aerr != nil {
				return fmt.Errorf("--trusted-proxies (VERBUND_TRUSTED_PROXIES): %q is neither an address nor a CIDR range", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	switch c.Activation {
	case "immediate", "office":
	default:
		return fmt.Errorf("--activation (VERBUND_ACTIVATION) %q: use immediate (open alliance) or office (an office decision activates)", c.Activation)
	}
	switch c.Regime {
	case "open", "hub":
	default:
		return fmt.Errorf("--regime (VERBUND_REGIME) %q: use open (open alliance) or hub (designated hub: confidential information only to designated recipients)", c.Regime)
	}
	for _, cc := range c.Countries {
		if len(cc) != 2 || strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return fmt.Errorf("--countries (VERBUND_COUNTRIES): %q is not a two-letter country code such as DE or NL", cc)
		}
	}
	if c.SessionIdle < time.Minute || c.SessionMax < c.SessionIdle {
		return fmt.Errorf("--session-idle must be at least 1m and --session-max at least as long")
	}
	return nil
}

// logger returns the logger the settings ask for.
func (c *config) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level (VERBUND_LOG_LEVEL) %q: use debug, info, warn or error", c.LogLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.LogFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format (VERBUND_LOG_FORMAT) %q: use text or json", c.LogFormat)
}

// redactURL hides the password of a URL for messages and logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
