package credential

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/blob"
	"github.com/attesta/attesta/internal/vc/statuslist"
	"github.com/attesta/attesta/notary"
)

// Reservations keep, in a blob store apart from the database, how far
// each issuer's status lists may have handed out positions: one object per
// block of ReserveBlock counters, "status/{issuer}/{list}/{k}" for the
// counters below k·ReserveBlock, written before the first of them is
// handed out (Store.Allocate calls Reserve in its transaction). A database
// restored from an older copy learns from them how far each list went
// after the copy (Recover). The objects hold no personal data: an issuer,
// a list number, a count.
type Reservations struct {
	Blobs blob.Store
	Clock attesta.Clock
}

type reservation struct {
	Issuer string    `json:"issuer"`
	List   int       `json:"list"`
	UpTo   int       `json:"up_to"`
	At     time.Time `json:"at"`
}

func reservationName(issuerID string, list, block int) string {
	return "status/" + issuerID + "/" + strconv.Itoa(list) + "/" + strconv.Itoa(block)
}

// For returns the Reserve of an issuer's lists.
func (r *Reservations) For(issuerID string) Reserve {
	return func(ctx context.Context, list, upTo int) error {
		block := (upTo + ReserveBlock - 1) / ReserveBlock
		data, err := json.Marshal(reservation{Issuer: issuerID, List: list, UpTo: upTo, At: r.now()})
		if err != nil {
			return err
		}
		return r.Blobs.Put(ctx, reservationName(issuerID, list, block), data)
	}
}

func (r *Reservations) now() time.Time {
	if r.Clock == nil {
		return time.Now().UTC()
	}
	return r.Clock().UTC()
}

// Reached returns how far an issuer's list may have handed out counters:
// the end of the last block reserved, looking from the block that holds
// counter known on (the blocks before it were reserved before it); 0 if no
// block from there is reserved.
func (r *Reservations) Reached(ctx context.Context, issuerID string, list, known int) (int, error) {
	reached := 0
	for block := known/ReserveBlock + 1; block <= statuslist.ListBits/ReserveBlock; block++ {
		_, err := r.Blobs.Get(ctx, reservationName(issuerID, list, block))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("reading the reservations of status list %d of issuer %s: %w", list, issuerID, err)
		}
		reached = min(block*ReserveBlock, statuslist.ListBits)
	}
	return reached, nil
}

// LoggedEntry is an entry of the transparency log and its leaf index.
type LoggedEntry struct {
	Leaf  int64
	Entry notary.Entry
}

// Recovery is what Recover found and did.
type Recovery struct {
	// Lost are the status counters moved past: positions that credentials
	// lost with the database may hold, now shown as suspended and never
	// handed out again.
	Lost []LostRange
	// Reapplied are the status changes the log records and the database
	// did not have, applied again to the credentials it has.
	Reapplied []Reapplied
	// LostIssued are the issue entries of credentials the database does
	// not have: issued after the copy, to be issued again.
	LostIssued []LoggedEntry
	// LostChanges are status changes of credentials the database does not
	// have; their positions are among Lost, so they show as suspended.
	LostChanges []LoggedEntry
}

// Reapplied is a status change applied again from its log entry.
type Reapplied struct {
	Leaf         int64
	CredentialID string
	Action       Action
}

// RecoverActor names recoveries in the credentials' status history.
const RecoverActor = "attesta log recover"

// Recover brings the credentials of a database restored from an older copy
// back in line with what happened after the copy, as far as the log and
// the reservations tell: every status list is moved past every position
// that may have been handed out after the copy (Reservations), those
// positions show as suspended; the status changes among entries — the
// log's entries the database lacks, in order — are applied again to the
// credentials the database has (a revoked credential never comes back to
// life); the issue entries of credentials it does not have are returned,
// for the Chamber to issue them again. issuers are the issuers of the
// database. It may be run again: what is done is not done twice.
//
// The log's entries do not say which status position a credential has
// (an entry holds the digests of its id and body, nothing else), which is
// why positions are reserved apart from the database in the first place.
func (s *Service) Recover(ctx context.Context, issuers []string, entries []LoggedEntry) (Recovery, error) {
	var rec Recovery
	if s.reservations == nil {
		return rec, errors.New("recover: the credential service has no reservations")
	}
	lists, err := s.store.Lists(ctx)
	if err != nil {
		return rec, err
	}
	last := map[string]ListState{}
	for _, l := range lists {
		if l.List > last[l.IssuerID].List {
			last[l.IssuerID] = l
		}
	}
	for _, id := range issuers {
		l, ok := last[id]
		if ok {
			reached, err := s.reservations.Reached(ctx, id, l.List, max(l.Reserved, 1)-1)
			if err != nil {
				return rec, err
			}
			if reached > l.Allocated {
				lost, err := s.store.MarkLost(ctx, id, l.List, reached, s.permutationKey)
				if err != nil {
					return rec, err
				}
				if lost.To > lost.From {
					rec.Lost = append(rec.Lost, lost)
				}
			}
		}
		// Lists opened after the copy: lost whole.
		for list := l.List + 1; ; list++ {
			reached, err := s.reservations.Reached(ctx, id, list, 0)
			if err != nil {
				return rec, err
			}
			if reached == 0 {
				break
			}
			lost, err := s.store.MarkLost(ctx, id, list, statuslist.ListBits, s.permutationKey)
			if err != nil {
				return rec, err
			}
			if lost.To > lost.From {
				rec.Lost = append(rec.Lost, lost)
			}
		}
	}

	ids, err := s.store.CredentialIDs(ctx)
	if err != nil {
		return rec, err
	}
	byDigest := make(map[[32]byte]string, len(ids))
	for _, id := range ids {
		byDigest[sha256.Sum256([]byte(id))] = id
	}
	for _, le := range entries {
		if le.Entry.Kind == notary.Dossier || le.Entry.Kind == notary.Minutes {
			continue // a dossier's lock or a session's minutes, not a credential's: they keep it
		}
		id, known := byDigest[le.Entry.IDDigest]
		if le.Entry.Kind == notary.Issue {
			if !known {
				rec.LostIssued = append(rec.LostIssued, le)
			}
			continue
		}
		if !known {
			rec.LostChanges = append(rec.LostChanges, le)
			continue
		}
		action := map[notary.Kind]Action{notary.Revoke: Revoke, notary.Suspend: Suspend, notary.Reinstate: Reinstate}[le.Entry.Kind]
		done, err := s.reapply(ctx, id, le, action)
		if err != nil {
			return rec, err
		}
		if done {
			rec.Reapplied = append(rec.Reapplied, Reapplied{Leaf: le.Leaf, CredentialID: id, Action: action})
		}
	}
	return rec, nil
}

// errApplied stops a re-application that is done already.
var errApplied = errors.New("applied already")

// reapply applies the status change of log entry le to credential id,
// unless it was re-applied before (its event is there) or the credential's
// state already has it.
func (s *Service) reapply(ctx context.Context, id string, le LoggedEntry, action Action) (bool, error) {
	reason := fmt.Sprintf("log entry %d, re-applied after a database restore", le.Leaf)
	events, err := s.store.Events(ctx, id)
	if err != nil {
		return false, err
	}
	for _, ev := range events {
		if ev.Actor == RecoverActor && ev.Reason == reason {
			return false, nil
		}
	}
	ev := StatusEvent{CredentialID: id, Action: action, Reason: reason, Actor: RecoverActor, At: le.Entry.Time}
	_, err = s.store.ReapplyStatus(ctx, id, ev, func(r Record) (Record, error) {
		if !le.Entry.Matches(r.ID, r.Body) {
			return r, attesta.E(attesta.Conflict, "err.credential.recover.entry", le.Leaf, id)
		}
		switch action {
		case Revoke:
			if r.Revoked {
				return r, errApplied
			}
			r.Revoked = true
		case Suspend:
			if r.Revoked || r.Suspended {
				return r, errApplied
			}
			r.Suspended = true
		case Reinstate:
			if r.Revoked || !r.Suspended {
				return r, errApplied
			}
			r.Suspended = false
		}
		r.Reason, r.ChangedAt = reason, le.Entry.Time
		return r, nil
	})
	if errors.Is(err, errApplied) {
		return false, nil
	}
	return err == nil, err
}
