package credential

import (
	"context"
	"time"

	"github.com/attesta/attesta/audit"
	"github.com/attesta/attesta/internal/vc/statuslist"
)

// Record is an issued credential as attesta keeps it.
type Record struct {
	ID          string    // the credential's id, "urn:uuid:…"
	IssuerID    string    // the issuer.Issuer that signed it
	List        int       // status list number of the issuer (1, 2, …)
	Index       int       // index in the revocation and the suspension list
	Format      Format    // how it was secured
	Body        []byte    // the credential exactly as issued (JSON, or a compact JWT)
	Digest      string    // "sha256:" + hex of Body
	Achievement string    // what it certifies, "{sector}/v{version}/{code}", or for an area "{sector}/v{version}/area/{path}"
	IssuedAt    time.Time //
	ValidUntil  time.Time // zero if it does not expire
	Revoked     bool      //
	Suspended   bool      //
	Reason      string    // reason of the last status change, empty if none
	ChangedAt   time.Time // time of the last status change, zero if none
	// CopyOf is, for a copy of a credential bound to its holder's wallet
	// (Service.PrepareCopy), the id of the credential it copies; empty
	// otherwise. A copy's status changes with its original's, and never
	// alone.
	CopyOf string
}

// StatusEvent is one status change, kept forever.
type StatusEvent struct {
	CredentialID string
	Action       Action
	Reason       string
	Actor        string // who asked for the change
	At           time.Time
}

// Action is a status change.
type Action string

// The status changes.
const (
	Revoke    Action = "revoke"
	Suspend   Action = "suspend"
	Reinstate Action = "reinstate"
)

// Position is a status list position allocated to a credential.
type Position struct {
	List  int
	Index int
}

// StatusList is the current state of one of an issuer's status lists,
// derived from the records that point into it.
type StatusList struct {
	IssuerID  string
	List      int
	Version   int64     // grows with every change of either purpose
	UpdatedAt time.Time // time of the last change, or of creation
	Revoked   []int     // indices of revoked credentials
	Suspended []int     // indices of suspended credentials
}

// Changed is a credential that is revoked or suspended, where its status
// list says so, and why.
type Changed struct {
	ID        string
	IssuerID  string
	List      int
	Index     int
	Revoked   bool
	Suspended bool
	Reason    string
}

// SignedList is a signed status list credential as served.
type SignedList struct {
	IssuerID string
	List     int
	Purpose  statuslist.Purpose
	Version  int64 // StatusList.Version it was signed from
	Body     []byte
	SignedAt time.Time
}

// Store keeps issued credentials and their status. Implementations:
// storage/sqlite and storage/postgres; every method is one transaction.
type Store interface {
	// Allocate reserves a status position for a new credential of the issuer:
	// the next counter of its open list (opening list 1, or the next list when
	// the open one has handed out status.ListBits positions, with a fresh
	// 32-byte permutation key from newKey), mapped by status.Permute. A
	// position is never returned twice, even if the credential is never
	// stored.
	// reserve, if not nil, is called in the allocation's transaction
	// before a counter at or past the list's reservation is handed out,
	// to reserve it and those up to the next multiple of ReserveBlock
	// apart from the database (Reservations); an error fails the
	// allocation.
	Allocate(ctx context.Context, issuerID string, newKey func() [32]byte, reserve Reserve) (Position, error)
	// AllocateMany is n allocations of the issuer in one transaction: a
	// batch's positions, in order.
	AllocateMany(ctx context.Context, issuerID string, n int, newKey func() [32]byte, reserve Reserve) ([]Position, error)
	// Insert stores an issued credential, appends logEntry (a
	// notary.Entry, encoded) to the transparency log and, when it is not
	// nil, trail to the audit trail, in one transaction. A Conflict error if
	// its id or its position is already taken; NotFound if it is a copy
	// (CopyOf) of a credential there is not.
	Insert(ctx context.Context, r Record, logEntry []byte, trail *audit.Entry) error
	// Record returns a credential by id; NotFound if there is none.
	Record(ctx context.Context, id string) (Record, error)
	// Copies lists the copies of credential id (CopyOf), oldest first.
	Copies(ctx context.Context, id string) ([]Record, error)
	// LogIndex returns the leaf index of the credential's issue entry in the
	// transparency log; NotFound if there is no such credential, or if it was
	// issued before the log existed.
	LogIndex(ctx context.Context, id string) (int64, error)
	// ChangeStatus applies a status change decided by decide, which sees the
	// current record and returns the changed one (only Revoked, Suspended,
	// Reason and ChangedAt may differ) and the log entry recording the change,
	// or an error that aborts the change. The record, the event, the list
	// version, the log entry and trail (when it is not nil, in the audit
	// trail) are written in one transaction. In the same transaction, decide
	// is then called with each copy of the credential (the records whose
	// CopyOf is id, oldest first), and each copy's change is written as the
	// credential's is (its record, its event, its list's version, its log
	// entry); trail is written once. A copy is never changed alone: decide
	// refuses it.
	ChangeStatus(ctx context.Context, id string, ev StatusEvent, trail *audit.Entry, decide func(Record) (Record, []byte, error)) (Record, error)
	// Events returns a credential's status changes, oldest first.
	Events(ctx context.Context, credentialID string) ([]StatusEvent, error)
	// StatusList returns the state of a list; NotFound if it was never opened.
	StatusList(ctx context.Context, issuerID string, list int) (StatusList, error)
	// SignedList returns the last signed credential of a list and purpose;
	// NotFound if none was signed.
	SignedList(ctx context.Context, issuerID string, list int, purpose statuslist.Purpose) (SignedList, error)
	// SaveSignedList stores a signed list credential, replacing an older
	// version; a newer stored version wins (the call is then a no-op).
	SaveSignedList(ctx context.Context, l SignedList) error
	// Changed returns every credential that is revoked or suspended, with
	// the reason of its last change, by issuer, list and index.
	Changed(ctx context.Context) ([]Changed, error)

	// What a recovery after a restore needs (Service.Recover).

	// Lists returns the state of every status list, by issuer and number.
	Lists(ctx context.Context) ([]ListState, error)
	// MarkLost moves the counter of a list to upTo, if it is below, and
	// records the counters it passes over as lost: their positions are
	// then shown as suspended. A list that does not exist is opened full,
	// with a key from newKey, and lost whole. It returns what it recorded,
	// the zero LostRange if nothing (the counter was already there).
	MarkLost(ctx context.Context, issuerID string, list, upTo int, newKey func() [32]byte) (LostRange, error)
	// CredentialIDs lists the ids of every credential.
	CredentialIDs(ctx context.Context) ([]string, error)
	// ReapplyStatus is ChangeStatus without appending a log entry, and of
	// the credential alone (the log has each copy's change of its own): for a
	// change the log already records.
	ReapplyStatus(ctx context.Context, id string, ev StatusEvent, decide func(Record) (Record, error)) (Record, error)
}

// Reserve reserves the counters of an issuer's status list below upTo,
// durably and apart from the database, before any is handed out.
type Reserve func(ctx context.Context, list, upTo int) error

// ReserveBlock is how many counters of a list are reserved at a time: a
// reservation is written once per ReserveBlock credentials of an issuer,
// and a recovery passes over at most that many unused positions per list.
const ReserveBlock = 1024

// ListState is how far a status list has handed out positions.
type ListState struct {
	IssuerID  string
	List      int
	Allocated int // counters handed out
	Reserved  int // counters reserved apart from the database
}

// LostRange is a range of counters of a status list that credentials lost
// with a restored database may hold.
type LostRange struct {
	IssuerID string
	List     int
	From, To int  // counters [From, To)
	Whole    bool // the list was opened after the copy: all of it
}
