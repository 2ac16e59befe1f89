// Package storage declares what attesta needs of a storage engine: [DB].
//
// Two engines implement it: [github.com/attesta/attesta/storage/sqlite],
// embedded and the default, and [github.com/attesta/attesta/storage/postgres].
// Their stores are written once, in storage/internal/sqlstore, and run in
// each engine's own driver through a seam of three methods (database/sql
// for SQLite, pgx for PostgreSQL); each engine package holds what it does
// its own way (its connections, migrations, dialect and the transparency
// log's append).
// One behaviour suite, [github.com/attesta/attesta/storage/storagetest],
// runs against both. docs/design/storage.md says why.
package storage

import (
	"context"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/competence"
	"github.com/attesta/attesta/course"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/dossier"
	"github.com/attesta/attesta/experience"
	"github.com/attesta/attesta/importer"
	"github.com/attesta/attesta/internal/tlog/witness"
	"github.com/attesta/attesta/issuer"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/job"
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/share"
	"github.com/attesta/attesta/wallet"
)

// DB is an open database of either engine: the server assembles its
// services on one (internal/server), and the behaviour suite checks one.
// Each method returning a store returns it for a domain, in the shape that
// domain declares.
type DB interface {
	// Migrate applies the pending migrations and returns the schema
	// version before and after.
	Migrate(ctx context.Context) (from, to int, err error)
	// Ready reports whether the database answers and its schema is
	// current.
	Ready(ctx context.Context) error
	// Meta returns the value stored under key, or "" and false; SetMeta
	// stores one. They keep facts about the database itself, such as
	// whether the first-start dataset was loaded.
	Meta(ctx context.Context, key string) (string, bool, error)
	SetMeta(ctx context.Context, key, value string) error
	// AddMeta stores value under key unless a value is there already: then
	// an error with code Conflict, and the value stays.
	AddMeta(ctx context.Context, key, value string) error

	Standards() competence.Store
	Issuers() issuer.Store
	Credentials() credential.Store
	Log() notary.Store
	Witness() witness.DurableStore
	Organisations() org.Store
	People() people.Store
	Imports() importer.Store
	Accounts() account.Store
	Audit() audit.Store
	RoundTables() roundtable.Store
	Experiences() experience.Store
	Sheets() observation.Store
	Dossiers() dossier.Store
	Jobs() job.Store
	Artefacts() artefact.Store
	Items() item.Store
	Assessments() assessment.Store
	Commissions() commission.Store
	Courses() course.Store
	Shares() share.Store
	Rights() rights.Store
	Wallet() wallet.Store

	Close() error
}
