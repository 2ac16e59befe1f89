// Package job runs long work as jobs kept in the database: an import of a
// CSV file today, the issuance of a session's credentials tomorrow. A job
// survives the process that started it: any attesta process on the same
// database shows it, confirms it and runs it, and one that dies leaves it
// to another, or to itself after a restart.
//
// # A job's life
//
// A job is made [Previewed]: its input is checked and what it would do is
// shown to its owner, who confirms it ([Service.Confirm]) within
// [PreviewLife] or lets it expire ([Expired]). Confirmed, it is [Queued],
// then [Running] in one process, which holds a lease on it, and it ends
// [Done] or [Failed]. Its owner may cancel it before it runs
// ([Cancelled]).
//
// Only its owner (the person who started it) sees a job: to anyone else it
// does not exist ([attesta.NotFound]). It is confirmed in the role it was
// previewed in. A person has at most [MaxEach] jobs waiting or running,
// and the database at most [MaxLive].
//
// # Running
//
// Every process runs [Service.Run], which claims queued jobs, and running
// ones whose lease has ended (their process died), one claim at a time
// across processes: a claim is a write conditional on the state and the
// lease the claimer read ([Fence]), so of two claimers one wins. The
// runner extends its lease while the job runs and writes the job's
// progress; a write of a runner that has lost its lease is refused
// ([Writer.ReplaceJob]), so two runs of a job never both end it.
//
// A [Handler] ends its job in the transaction that does the work
// ([Run.End]): the work and the job's end are committed together, so a job
// is never done without its work, nor its work done twice.
//
// docs/design/jobs.md says why it is built this way.
package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/i18n"
)

// Kind is what a job does, e.g. "import.classes"; the package that does it
// names its kinds and gives their [Handler].
type Kind string

// State is where a job is in its life.
type State string

// The states.
const (
	Previewed State = "previewed" // checked and shown, waiting for its owner's confirmation
	Queued    State = "queued"    // confirmed, waiting for a runner
	Running   State = "running"   // held by a runner until its lease ends
	Done      State = "done"      // its work is committed
	Failed    State = "failed"    // it did nothing; Failure says why
	Cancelled State = "cancelled" // its owner cancelled it before it ran
	// Expired is a preview not confirmed within PreviewLife. It is never
	// stored: a stored preview is said to be expired when read.
	Expired State = "expired"
)

// Ended reports whether a job in state s will not change any more.
func (s State) Ended() bool {
	return s == Done || s == Failed || s == Cancelled || s == Expired
}

// Limits and times.
const (
	// PreviewLife is how long a preview waits for its confirmation.
	PreviewLife = time.Hour
	// Retention is how long an ended job is kept, for its page, before
	// it is forgotten.
	Retention = 24 * time.Hour
	// MaxEach is how many jobs a person may have waiting (previewed or
	// queued) or running.
	MaxEach = 5
	// MaxLive is how many jobs may hold an input (waiting or running) in
	// the whole database.
	MaxLive = 200
	// MaxAttempts is how many runs a job gets: a job taken up this many
	// times from a runner that died fails instead of killing another.
	MaxAttempts = 5
)

// Owner is who started a job, and in which role: only they see it, and
// they confirm it in the same role.
type Owner struct {
	Person string    `json:"person"`
	Org    string    `json:"org"`
	Role   auth.Role `json:"role"`
}

// Job is one job.
type Job struct {
	ID    string // random, unguessable
	Kind  Kind
	Owner Owner
	State State
	// Done and Total are its progress: units of work (rows) done of all.
	Done, Total int
	// Params are the small parameters of its kind (JSON), kept to the end.
	Params []byte
	// Input is what it works on (an uploaded file): it may hold personal
	// data, so it is deleted when the job ends. It is read only by the
	// runner that claims the job.
	Input []byte
	// Preview is what the job would do (JSON), shown to its owner while it
	// waits for confirmation; it is deleted once confirmed.
	Preview []byte
	// Result is what it did (JSON), once done; Failure why it failed.
	Result  []byte
	Failure *Failure
	Created time.Time
	Expires time.Time // of the preview
	Queued  time.Time // confirmed
	Started time.Time // first claimed
	Ended   time.Time
	// The lease: the runner that holds the job (Worker, for people), the
	// token of its claim (Lease, which every write of that runner is
	// fenced by) and until when it holds it.
	Worker     string
	Lease      string
	LeaseUntil time.Time
	// Attempts counts the runs of the job; a run given back when its
	// process stops does not count.
	Attempts int
}

// Fence is what a write expects the stored job still to be: the state it
// was read in, and the token of the lease that held it then ("" when
// none).
type Fence struct {
	State State
	Lease string
}

// fence returns the fence of j as read.
func (j *Job) fence() Fence { return Fence{State: j.State, Lease: j.Lease} }

// expired reports whether j is a preview not confirmed in time.
func (j *Job) expired(now time.Time) bool { return j.State == Previewed && !now.Before(j.Expires) }

// Store is where jobs are kept: View runs fn in a read-only transaction,
// Update in a read-write one, committed if fn returns nil. The store of
// package storage (db.Jobs()) is one.
type Store interface {
	View(ctx context.Context, fn func(Reader) error) error
	Update(ctx context.Context, fn func(Writer) error) error
}

// Reader reads jobs, inside a transaction.
type Reader interface {
	// Job returns a job without its input, or an error with code
	// attesta.NotFound.
	Job(ctx context.Context, id string) (*Job, error)
	// JobInput returns a job's input: nil once it is deleted.
	JobInput(ctx context.Context, id string) ([]byte, error)
	// Live counts the jobs that hold an input — those previewed and
	// expiring after now, queued and running — of person, and in all.
	Live(ctx context.Context, person string, now time.Time) (mine, all int, err error)
}

// Writer writes jobs, inside a transaction.
type Writer interface {
	Reader
	Ender
	// InsertJob adds j, with its input; a taken id is a Conflict.
	InsertJob(ctx context.Context, j *Job) error
	// Claimable lists, without their input, up to limit jobs of kinds a
	// runner may take at now: those queued, and those running whose lease
	// ended before now; the longest waiting first.
	Claimable(ctx context.Context, kinds []Kind, now time.Time, limit int) ([]Job, error)
	// Purge deletes the previews that expired before expired and the
	// jobs that ended before ended, and returns how many it deleted.
	Purge(ctx context.Context, expired, ended time.Time) (int, error)
}

// Ender writes a job over its stored self: what a [Handler]'s transaction
// needs to end its job with its work ([Run.End]). A domain whose handler
// ends jobs declares ReplaceJob in its own Writer.
type Ender interface {
	// ReplaceJob writes j (all but its Input, its ID, Kind, Owner, Params
	// and Created) over the stored job if that is still as was says: the
	// same state and lease token. Otherwise it returns an error with code
	// attesta.Conflict and writes nothing: another runner holds the job,
	// or it changed since it was read. When j has ended, the stored input
	// is deleted; a nil Preview deletes the stored one.
	ReplaceJob(ctx context.Context, j *Job, was Fence) error
}

// Failure is why a job failed: the refusal's code and message, kept so
// that it is said in the language of whoever reads it later, and what the
// kind adds (an import's problems, row by row).
type Failure struct {
	Code attesta.Code `json:"code"`
	Key  string       `json:"key"`
	// Args are the message's arguments: texts, numbers, and what was to
	// be said in the reader's language (another message, a date), said in
	// every language when the job failed.
	Args   []json.RawMessage `json:"args,omitempty"`
	Detail json.RawMessage   `json:"detail,omitempty"`
}

// Err returns the failure as an error, whose message is said in any
// language ([attesta.MessageIn]).
func (f *Failure) Err() error {
	args := make([]any, len(f.Args))
	for i, a := range f.Args {
		args[i] = decodeArg(a)
	}
	// The key was checked where the refusal was made (attesta.E and its
	// kind); it is stored and said again here.
	return &attesta.Error{Code: f.Code, Message: attesta.Message{Key: f.Key, Args: args}}
}

// detailed is an error with the detail its job's failure keeps.
type detailed struct {
	error
	detail any
}

func (d detailed) Unwrap() error { return d.error }

// WithDetail returns err with detail, which the job's [Failure] keeps as
// JSON: a handler's way to keep what its page shows of a refusal (an
// import's problems).
func WithDetail(err error, detail any) error { return detailed{err, detail} }

// failureOf returns the failure of a job that ended with err. What is not
// an *attesta.Error is said as an internal error, its cause kept out.
func failureOf(err error) *Failure {
	f := &Failure{Code: attesta.Internal, Key: "err.internal"}
	var e *attesta.Error
	if errors.As(err, &e) {
		f.Code, f.Key = e.Code, e.Key
		for _, a := range e.Args {
			f.Args = append(f.Args, encodeArg(a))
		}
	}
	var d detailed
	if errors.As(err, &d) {
		if b, err := json.Marshal(d.detail); err == nil {
			f.Detail = b
		}
	}
	return f
}

// encodeArg encodes an argument of a message: what is said in a language
// as its text in every language, numbers and texts as they are, anything
// else as the text it prints.
func encodeArg(a any) json.RawMessage {
	var v any
	switch a := a.(type) {
	case attesta.Localized:
		said := map[string]string{}
		for _, lang := range i18n.Languages {
			said[lang] = a.In(lang)
		}
		v = said
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		v = a
	default:
		v = fmt.Sprint(a)
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(a))
	}
	return b
}

// decodeArg decodes what encodeArg encoded: an integer as an int64, so
// that %d says it.
func decodeArg(b json.RawMessage) any {
	var said map[string]string
	if json.Unmarshal(b, &said) == nil && said != nil {
		return saidText(said)
	}
	var s string
	if json.Unmarshal(b, &s) == nil {
		return s
	}
	if n, err := strconv.ParseInt(string(b), 10, 64); err == nil {
		return n
	}
	var v any
	if json.Unmarshal(b, &v) == nil {
		return v
	}
	return string(b)
}

// saidText is an argument said in every language when it was stored.
type saidText map[string]string

func (s saidText) In(lang string) string {
	if t, ok := s[lang]; ok {
		return t
	}
	return s[i18n.Default]
}
