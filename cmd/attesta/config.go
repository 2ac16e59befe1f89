package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// Config is attesta's whole configuration. Every field is set by a flag
// and, when the flag is not given, by an environment variable; the table in
// settings() is the manual (README, "Configuration", is checked against
// it by a test).
type Config struct {
	Addr            string        // where the server listens
	DataDir         string        // where the embedded SQLite database lives
	DatabaseURL     string        // a postgres:// URL; when set, PostgreSQL is used instead of SQLite
	NoDemo          bool          // leave a new database empty instead of loading the first-start dataset
	LogLevel        slog.Level    // debug, info, warn or error
	LogFormat       string        // text or json
	ShutdownTimeout time.Duration // how long in-flight requests get on SIGTERM
}

// setting is one configuration entry: its flag, environment variable,
// default and meaning.
type setting struct {
	flag, env, def, usage string
	set                   func(c *Config, v string) error
}

func settings() []setting {
	return []setting{
		{"addr", "ATTESTA_ADDR", ":8080", "address the server listens on",
			func(c *Config, v string) error { c.Addr = v; return nil }},
		{"data-dir", "ATTESTA_DATA_DIR", "./attesta-data", "directory of the embedded SQLite database (created if missing)",
			func(c *Config, v string) error { c.DataDir = v; return nil }},
		{"database-url", "ATTESTA_DATABASE_URL", "", "PostgreSQL URL (postgres://user@host:5432/db); when set, PostgreSQL is used instead of SQLite",
			func(c *Config, v string) error {
				if v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
					return fmt.Errorf("must start with postgres:// or postgresql://")
				}
				c.DatabaseURL = v
				return nil
			}},
		{"no-demo", "ATTESTA_NO_DEMO", "false", "leave a new database empty: no bundled standards, no demo data",
			func(c *Config, v string) (err error) { c.NoDemo, err = strconv.ParseBool(v); return err }},
		{"log-level", "ATTESTA_LOG_LEVEL", "info", "log level: debug, info, warn or error",
			func(c *Config, v string) error { return c.LogLevel.UnmarshalText([]byte(v)) }},
		{"log-format", "ATTESTA_LOG_FORMAT", "text", "log format: text or json",
			func(c *Config, v string) error {
				if v != "text" && v != "json" {
					return fmt.Errorf("must be text or json")
				}
				c.LogFormat = v
				return nil
			}},
		{"shutdown-timeout", "ATTESTA_SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests may run after SIGTERM",
			func(c *Config, v string) (err error) {
				c.ShutdownTimeout, err = time.ParseDuration(v)
				if err == nil && c.ShutdownTimeout < 0 {
					err = fmt.Errorf("must not be negative")
				}
				return err
			}},
	}
}

// bindConfig registers every setting on fs and returns a function that,
// after fs.Parse, builds the Config from the flags given, then the
// environment, then the defaults.
func bindConfig(fs *flag.FlagSet, getenv func(string) string) func() (*Config, error) {
	values := map[string]*string{}
	for _, s := range settings() {
		values[s.flag] = fs.String(s.flag, s.def, s.usage+" (env "+s.env+")")
	}
	return func() (*Config, error) {
		given := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
		c := &Config{}
		for _, s := range settings() {
			v, source := *values[s.flag], "--"+s.flag
			if !given[s.flag] {
				if e := getenv(s.env); e != "" {
					v, source = e, s.env
				}
			}
			if err := s.set(c, v); err != nil {
				return nil, fmt.Errorf("%s=%q: %w", source, v, err)
			}
		}
		return c, nil
	}
}

// newLogger returns the logger the configuration asks for, writing to w.
func (c *Config) newLogger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
