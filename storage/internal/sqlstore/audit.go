package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/attesta/attesta/audit"
)

// trail is the audit trail, in a transaction: every write transaction of
// the platform records its changes in it.
type trail struct{ *Tx }

// Record implements audit.Recorder.
func (t trail) Record(ctx context.Context, e *audit.Entry) error {
	_, err := t.Exec(ctx, `INSERT INTO audit_events (at, actor, actor_name, actor_role, actor_org, action, object_kind, object_id, org, province, before_json, after_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		t.tm(e.At), e.Actor, e.ActorName, e.ActorRole, e.ActorOrg, e.Action, e.ObjectKind, e.ObjectID, e.Org, e.Province, rawNull(e.Before), rawNull(e.After))
	if err != nil {
		return fmt.Errorf("appending to the audit trail: %w", err)
	}
	return nil
}

func rawNull(b json.RawMessage) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// Entries implements audit.Reader.
func (t trail) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var a args
	if f.Actor != "" {
		where = append(where, `actor = `+a.add(f.Actor))
	}
	if f.ObjectKind != "" {
		where = append(where, `object_kind = `+a.add(f.ObjectKind))
	}
	if f.ObjectID != "" {
		where = append(where, `object_id = `+a.add(f.ObjectID))
	}
	if f.Action != "" {
		where = append(where, `action = `+a.add(f.Action))
	}
	if !f.Since.IsZero() {
		where = append(where, `at >= `+a.add(t.tm(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, `at < `+a.add(t.tm(f.Until)))
	}
	if f.Before > 0 {
		where = append(where, `seq < `+a.add(f.Before))
	}
	where = append(where, a.within(f.Reach, `province`, `org`, `actor_org`))
	q := `SELECT seq, at, actor, actor_name, actor_role, actor_org, action, object_kind, object_id, org, province, before_json, after_json
		FROM audit_events WHERE ` + strings.Join(where, ` AND `)
	q += ` ORDER BY seq DESC LIMIT ` + a.add(f.Limit)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("reading the audit trail: %w", err)
	}
	defer rows.Close()
	var out []audit.Entry
	for rows.Next() {
		var e audit.Entry
		var before, after string
		if err := rows.Scan(&e.Seq, tcol{&e.At}, &e.Actor, &e.ActorName, &e.ActorRole, &e.ActorOrg, &e.Action, &e.ObjectKind, &e.ObjectID,
			&e.Org, &e.Province, nstr{&before}, nstr{&after}); err != nil {
			return nil, fmt.Errorf("reading the audit trail: %w", err)
		}
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
