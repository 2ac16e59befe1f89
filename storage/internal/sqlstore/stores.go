package sqlstore

import (
	"context"

	"github.com/attesta/attesta/account"
	"github.com/attesta/attesta/artefact"
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
	"github.com/attesta/attesta/notary"
	"github.com/attesta/attesta/observation"
	"github.com/attesta/attesta/org"
	"github.com/attesta/attesta/people"
	"github.com/attesta/attesta/rights"
	"github.com/attesta/attesta/roundtable"
	"github.com/attesta/attesta/share"
	"github.com/attesta/attesta/wallet"
)

// The transaction each domain is given is composed of the rows it reaches
// and, for the platform's domains, the audit trail its changes are
// recorded in; it is asserted below against that domain's Reader and
// Writer. A domain that reads or writes another's rows declares those
// methods in its own interfaces, and its transaction embeds those rows:
// one transaction serves a use-case that crosses domains, and no
// interface is the union of them all.

// orgTx is the organisations' transaction.
type orgTx struct {
	orgRows
	trail
}

// peopleTx is the transaction of people and of imports, which write
// organisations and people together.
type peopleTx struct {
	orgRows
	personRows
	trail
}

// accountTx is the accounts' transaction: they read the person signing in
// and their roles.
type accountTx struct {
	personRows
	accountRows
	trail
}

// tableTx is the territorial tables' transaction: they read the
// organisations sitting at them.
type tableTx struct {
	orgRows
	tableRows
	trail
}

// experienceTx is the training experiences' transaction: they read the
// school, the company, the class, the tutors and the pinned standard.
type experienceTx struct {
	orgRows
	personRows
	standardRows
	experienceRows
	trail
}

// Organisation implements experience.Writer (persons and organisations
// both read one).
func (t experienceTx) Organisation(ctx context.Context, id string) (*org.Organisation, error) {
	return t.orgRows.Organisation(ctx, id)
}

// sheetTx is the observation sheets' transaction: they read the
// experience, its revisions and the pinned standard.
type sheetTx struct {
	standardRows
	experienceRows
	sheetRows
	trail
}

// dossierTx is the dossiers' transaction: they read the experience, its
// hours and sheets, and append to the log.
type dossierTx struct {
	experienceRows
	sheetRows
	dossierRows
	trail
}

// courseTx is the training courses' transaction: they read the people
// enrolled and their roles.
type courseTx struct {
	personRows
	courseRows
	trail
}

// shareTx is the learners' links' transaction.
type shareTx struct {
	personRows
	shareRows
	trail
}

// rightsTx is the learners' rights' transaction.
type rightsTx struct {
	personRows
	orgRows
	shareRows
	rightsRows
	trail
}

var (
	_ rights.Reader      = rightsTx{}
	_ rights.Writer      = rightsTx{}
	_ share.Reader       = shareTx{}
	_ share.Writer       = shareTx{}
	_ course.Reader      = courseTx{}
	_ course.Writer      = courseTx{}
	_ dossier.Reader     = dossierTx{}
	_ dossier.Writer     = dossierTx{}
	_ observation.Reader = sheetTx{}
	_ observation.Writer = sheetTx{}
	_ experience.Reader  = experienceTx{}
	_ experience.Writer  = experienceTx{}
	_ org.Reader         = orgTx{}
	_ org.Writer         = orgTx{}
	_ people.Reader      = peopleTx{}
	_ people.Writer      = peopleTx{}
	_ account.Reader     = accountTx{}
	_ account.Writer     = accountTx{}
	_ roundtable.Reader  = tableTx{}
	_ roundtable.Writer  = tableTx{}
	_ audit.Reader       = trail{}
	_ competence.Reader  = standardTx{}
	_ competence.Writer  = standardTx{}
)

// standardTx is the competence standards' transaction: the versions, and
// the audit trail their edits are recorded in.
type standardTx struct {
	standardRows
	trail
}

// commissionTx is the commission's transaction: it reads the dossiers,
// their experiences, the people and organisations; it appends to the log,
// issues credentials with their badges, and queues and ends the issuance
// job.
type commissionTx struct {
	orgRows
	personRows
	experienceRows
	dossierRows
	jobRows
	commissionRows
	trail
}

// Organisation implements commission.Reader.
func (t commissionTx) Organisation(ctx context.Context, id string) (*org.Organisation, error) {
	return t.orgRows.Organisation(ctx, id)
}

// AppendLog implements commission.Writer.
func (t commissionTx) AppendLog(ctx context.Context, entry []byte) (int64, error) {
	return t.commissionRows.AppendLog(ctx, entry)
}

// Record implements commission.Writer.
func (t commissionTx) Record(ctx context.Context, e *audit.Entry) error {
	return t.trail.Record(ctx, e)
}

func newCommissionTx(t *Tx) commissionTx {
	return commissionTx{orgRows{t}, personRows{t}, experienceRows{t}, dossierRows{t}, jobRows{t}, commissionRows{t}, trail{t}}
}

var (
	_ commission.Reader = commissionTx{}
	_ commission.Writer = commissionTx{}
	_ commission.Store  = store[commission.Reader, commission.Writer]{}
)

// Commissions returns the store of the commissions.
func (db *DB) Commissions() commission.Store {
	return store[commission.Reader, commission.Writer]{db,
		func(t *Tx) commission.Reader { return newCommissionTx(t) },
		func(t *Tx) commission.Writer { return newCommissionTx(t) }}
}

// walletTx is the wallet pickup's transaction: it reads the badges and
// area credentials, their learners and the credentials' records; it
// queues the transaction codes' messages and stores the copies issued.
type walletTx struct {
	personRows
	walletRows
	badges commissionRows
	mail   accountRows
	trail
}

// Badge implements wallet.Reader.
func (t walletTx) Badge(ctx context.Context, credentialID string) (*commission.Badge, error) {
	return t.badges.Badge(ctx, credentialID)
}

// Stack implements wallet.Reader.
func (t walletTx) Stack(ctx context.Context, credentialID string) (*commission.Stacked, error) {
	return t.badges.Stack(ctx, credentialID)
}

// QueueMail implements wallet.Writer.
func (t walletTx) QueueMail(ctx context.Context, m *account.Mail) error {
	return t.mail.QueueMail(ctx, m)
}

// InsertCredential implements wallet.Writer.
func (t walletTx) InsertCredential(ctx context.Context, p credential.Prepared) error {
	return t.badges.InsertCredential(ctx, p)
}

// newWalletTx is a read-only transaction, or one that writes and locks.
func newWalletTx(t *Tx, write bool) walletTx {
	lock := ""
	if write {
		lock = t.d.ForUpdate
	}
	return walletTx{personRows{t}, walletRows{t, lock}, commissionRows{t}, accountRows{t}, trail{t}}
}

var (
	_ wallet.Reader = walletTx{}
	_ wallet.Writer = walletTx{}
	_ wallet.Store  = store[wallet.Reader, wallet.Writer]{}
)

// Wallet returns the store of the wallet pickup's offers.
func (db *DB) Wallet() wallet.Store {
	return store[wallet.Reader, wallet.Writer]{db,
		func(t *Tx) wallet.Reader { return newWalletTx(t, false) },
		func(t *Tx) wallet.Writer { return newWalletTx(t, true) }}
}

// store is a domain's Store: View and Update give fn the domain's view of
// one read-only or read-write transaction.
type store[R, W any] struct {
	db *DB
	r  func(*Tx) R
	w  func(*Tx) W
}

func (s store[R, W]) View(ctx context.Context, fn func(R) error) error {
	return View(ctx, s.db, func(t *Tx) error { return fn(s.r(t)) })
}

func (s store[R, W]) Update(ctx context.Context, fn func(W) error) error {
	return Update(ctx, s.db, func(t *Tx) error { return fn(s.w(t)) })
}

var (
	_ org.Store         = store[org.Reader, org.Writer]{}
	_ people.Store      = store[people.Reader, people.Writer]{}
	_ importer.Store    = store[importer.Reader, importer.Writer]{}
	_ account.Store     = store[account.Reader, account.Writer]{}
	_ roundtable.Store  = store[roundtable.Reader, roundtable.Writer]{}
	_ audit.Store       = store[audit.Reader, audit.Reader]{}
	_ competence.Store  = store[competence.Reader, competence.Writer]{}
	_ experience.Store  = store[experience.Reader, experience.Writer]{}
	_ observation.Store = store[observation.Reader, observation.Writer]{}
	_ dossier.Store     = store[dossier.Reader, dossier.Writer]{}
	_ artefact.Store    = store[artefact.Writer, artefact.Writer]{}
	_ course.Store      = store[course.Reader, course.Writer]{}

	_ issuer.Store         = issuers{}
	_ credential.Store     = credentials{}
	_ notary.Store         = logStore{}
	_ witness.DurableStore = witnessState{}
)

// Organisations returns the store of the organisations.
func (db *DB) Organisations() org.Store {
	tx := func(t *Tx) orgTx { return orgTx{orgRows{t}, trail{t}} }
	return store[org.Reader, org.Writer]{db,
		func(t *Tx) org.Reader { return tx(t) },
		func(t *Tx) org.Writer { return tx(t) }}
}

func newPeopleTx(t *Tx) peopleTx { return peopleTx{orgRows{t}, personRows{t}, trail{t}} }

// People returns the store of people, roles and classes.
func (db *DB) People() people.Store {
	return store[people.Reader, people.Writer]{db,
		func(t *Tx) people.Reader { return newPeopleTx(t) },
		func(t *Tx) people.Writer { return newPeopleTx(t) }}
}

// Imports returns the store of imports: organisations and people, written
// together in one transaction, with the job an import ends (job.go).
func (db *DB) Imports() importer.Store {
	return store[importer.Reader, importer.Writer]{db,
		func(t *Tx) importer.Reader { return newImportTx(t) },
		func(t *Tx) importer.Writer { return newImportTx(t) }}
}

// Accounts returns the store of accounts, sessions and tokens.
func (db *DB) Accounts() account.Store {
	tx := func(t *Tx) accountTx { return accountTx{personRows{t}, accountRows{t}, trail{t}} }
	return store[account.Reader, account.Writer]{db,
		func(t *Tx) account.Reader { return tx(t) },
		func(t *Tx) account.Writer { return tx(t) }}
}

// Audit returns the audit trail, which is read here and written by the
// other stores' transactions (trail.Record): its store has no Update.
func (db *DB) Audit() audit.Store {
	return store[audit.Reader, audit.Reader]{db, func(t *Tx) audit.Reader { return trail{t} }, nil}
}

// Artefacts returns the store of the dossier's artefacts: their content
// is in the blob store, and what links them to the dossier is the
// experience domain's, so a transaction of theirs records in the audit
// trail only (uploads and downloads).
func (db *DB) Artefacts() artefact.Store {
	return store[artefact.Writer, artefact.Writer]{db, nil, func(t *Tx) artefact.Writer { return trail{t} }}
}

// RoundTables returns the store of the territorial tables.
func (db *DB) RoundTables() roundtable.Store {
	tx := func(t *Tx) tableTx { return tableTx{orgRows{t}, tableRows{t}, trail{t}} }
	return store[roundtable.Reader, roundtable.Writer]{db,
		func(t *Tx) roundtable.Reader { return tx(t) },
		func(t *Tx) roundtable.Writer { return tx(t) }}
}

// Standards returns the store of the competence standards.
func (db *DB) Standards() competence.Store {
	return store[competence.Reader, competence.Writer]{db,
		func(t *Tx) competence.Reader { return standardRows{t} },
		func(t *Tx) competence.Writer { return standardTx{standardRows{t}, trail{t}} }}
}

// Experiences returns the store of the training experiences.
func (db *DB) Experiences() experience.Store {
	tx := func(t *Tx) experienceTx {
		return experienceTx{orgRows{t}, personRows{t}, standardRows{t}, experienceRows{t}, trail{t}}
	}
	return store[experience.Reader, experience.Writer]{db,
		func(t *Tx) experience.Reader { return tx(t) },
		func(t *Tx) experience.Writer { return tx(t) }}
}

// Sheets returns the store of the observation sheets.
func (db *DB) Sheets() observation.Store {
	tx := func(t *Tx) sheetTx { return sheetTx{standardRows{t}, experienceRows{t}, sheetRows{t}, trail{t}} }
	return store[observation.Reader, observation.Writer]{db,
		func(t *Tx) observation.Reader { return tx(t) },
		func(t *Tx) observation.Writer { return tx(t) }}
}

// Dossiers returns the store of the evidence dossiers.
func (db *DB) Dossiers() dossier.Store {
	tx := func(t *Tx) dossierTx { return dossierTx{experienceRows{t}, sheetRows{t}, dossierRows{t}, trail{t}} }
	return store[dossier.Reader, dossier.Writer]{db,
		func(t *Tx) dossier.Reader { return tx(t) },
		func(t *Tx) dossier.Writer { return tx(t) }}
}

// Courses returns the store of the training courses for tutors and
// teachers, and of the Chambers' settings of the tutor badge.
func (db *DB) Courses() course.Store {
	tx := func(t *Tx, write bool) courseTx { return courseTx{personRows{t}, courseRows{t, write}, trail{t}} }
	return store[course.Reader, course.Writer]{db,
		func(t *Tx) course.Reader { return tx(t, false) },
		func(t *Tx) course.Writer { return tx(t, true) }}
}

// Shares returns the store of the learners' public links to their badges.
func (db *DB) Shares() share.Store {
	tx := func(t *Tx) shareTx { return shareTx{personRows{t}, shareRows{t}, trail{t}} }
	return store[share.Reader, share.Writer]{db,
		func(t *Tx) share.Reader { return tx(t) },
		func(t *Tx) share.Writer { return tx(t) }}
}

// Rights returns the store of the learners' requests of erasure.
func (db *DB) Rights() rights.Store {
	tx := func(t *Tx) rightsTx {
		return rightsTx{personRows{t}, orgRows{t}, shareRows{t}, rightsRows{t}, trail{t}}
	}
	return store[rights.Reader, rights.Writer]{db,
		func(t *Tx) rights.Reader { return tx(t) },
		func(t *Tx) rights.Writer { return tx(t) }}
}

// Issuers returns the store of the issuers and their keys.
func (db *DB) Issuers() issuer.Store { return issuers{db} }

// Credentials returns the store of issued credentials and their status.
func (db *DB) Credentials() credential.Store { return credentials{db} }

// Log returns the store of the transparency log. Its entries are appended
// by the credential store (Credentials), in the transaction of the
// credential or status change they record.
func (db *DB) Log() notary.Store { return logStore{db} }

// Witness returns the store of the witness role: the latest checkpoint
// cosigned for each log followed, and the witness's sealed key.
func (db *DB) Witness() witness.DurableStore { return witnessState{db} }
