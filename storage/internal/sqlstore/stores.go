package sqlstore

import (
	"context"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
)

// Runner runs a function in a read-only or a read-write transaction of an
// engine.
type Runner interface {
	View(ctx context.Context, fn func(*Tx) error) error
	Update(ctx context.Context, fn func(*Tx) error) error
}

// Orgs is the org.Store of an engine.
type Orgs struct{ R Runner }

// View implements org.Store.
func (s Orgs) View(ctx context.Context, fn func(org.Reader) error) error {
	return s.R.View(ctx, func(t *Tx) error { return fn(t) })
}

// Update implements org.Store.
func (s Orgs) Update(ctx context.Context, fn func(org.Writer) error) error {
	return s.R.Update(ctx, func(t *Tx) error { return fn(t) })
}

// People is the people.Store of an engine.
type People struct{ R Runner }

// View implements people.Store.
func (s People) View(ctx context.Context, fn func(people.Reader) error) error {
	return s.R.View(ctx, func(t *Tx) error { return fn(t) })
}

// Update implements people.Store.
func (s People) Update(ctx context.Context, fn func(people.Writer) error) error {
	return s.R.Update(ctx, func(t *Tx) error { return fn(t) })
}

// Accounts is the account.Store of an engine.
type Accounts struct{ R Runner }

// View implements account.Store.
func (s Accounts) View(ctx context.Context, fn func(account.Reader) error) error {
	return s.R.View(ctx, func(t *Tx) error { return fn(t) })
}

// Update implements account.Store.
func (s Accounts) Update(ctx context.Context, fn func(account.Writer) error) error {
	return s.R.Update(ctx, func(t *Tx) error { return fn(t) })
}

// Audit is the audit.Store of an engine.
type Audit struct{ R Runner }

// View implements audit.Store.
func (s Audit) View(ctx context.Context, fn func(audit.Reader) error) error {
	return s.R.View(ctx, func(t *Tx) error { return fn(t) })
}

var (
	_ org.Store     = Orgs{}
	_ people.Store  = People{}
	_ account.Store = Accounts{}
	_ audit.Store   = Audit{}
)
