package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/commission"
	"github.com/attesta/attesta/credential"
	"github.com/attesta/attesta/storage/internal/guard"
)

// commissionRows are the commissions, their sessions, decisions and
// badges, in a transaction.
type commissionRows struct{ *Tx }

// sessionHead is what a session's own record keeps as JSON: all but its
// commission, candidates and decisions, which have their rows.
type sessionHead struct {
	Quorum       commission.Quorum        `json:"quorum"`
	Present      []string                 `json:"present"`
	Declarations []commission.Declaration `json:"declarations"`
	Recused      map[string][]string      `json:"recused,omitempty"`
	Criteria     *commission.Criteria     `json:"criteria,omitempty"`
	ReviewWindow time.Duration            `json:"review_window"`
	Signatures   []commission.Signature   `json:"signatures"`
}

// Commission implements commission.Reader.
func (t commissionRows) Commission(ctx context.Context, id string) (*commission.Commission, error) {
	var content string
	err := t.QueryRow(ctx, `SELECT content FROM commissions WHERE id = $1`, id).Scan(&content)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.commission.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading commission %s: %w", id, err)
	}
	var c commission.Commission
	if err := json.Unmarshal([]byte(content), &c); err != nil {
		return nil, fmt.Errorf("reading commission %s: %w", id, err)
	}
	return &c, nil
}

// Commissions implements commission.Reader.
func (t commissionRows) Commissions(ctx context.Context, f commission.Filter) ([]commission.Commission, error) {
	var a args
	q := `SELECT c.content FROM commissions c WHERE 1 = 1`
	if f.Chambers != nil {
		q += ` AND c.chamber_id IN ` + a.in(f.Chambers)
	}
	if f.Member != "" {
		q += ` AND EXISTS (SELECT 1 FROM commission_members m WHERE m.commission_id = c.id AND m.person_id = ` + a.add(f.Member) + `)`
	}
	q += ` ORDER BY c.nominated_at DESC, c.id LIMIT 500`
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing commissions: %w", err)
	}
	defer rows.Close()
	var out []commission.Commission
	for rows.Next() {
		var content string
		if err := rows.Scan(&content); err != nil {
			return nil, fmt.Errorf("listing commissions: %w", err)
		}
		var c commission.Commission
		if err := json.Unmarshal([]byte(content), &c); err != nil {
			return nil, fmt.Errorf("listing commissions: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// InsertCommission implements commission.Writer.
func (t commissionRows) InsertCommission(ctx context.Context, c *commission.Commission) error {
	content, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `INSERT INTO commissions (id, chamber_id, sector, content, nominated_by, nominated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.Chamber, c.Sector, string(content), c.NominatedBy, t.at(c.NominatedAt)); err != nil {
		return fmt.Errorf("inserting commission %s: %w", c.ID, err)
	}
	for _, m := range c.Members {
		if _, err := t.Exec(ctx, `INSERT INTO commission_members (commission_id, person_id, role) VALUES ($1, $2, $3)`,
			c.ID, m.Person, string(m.Role)); err != nil {
			return fmt.Errorf("inserting commission %s: %w", c.ID, err)
		}
	}
	return nil
}

// Session implements commission.Reader.
func (t commissionRows) Session(ctx context.Context, id string) (*commission.Session, error) {
	s := commission.Session{ID: id}
	var head, lead string
	var minutesDigest string
	var logIndex *int64
	var jobID string
	err := t.QueryRow(ctx, `SELECT commission_id, number, date, head, created_by, created_at, closed_at, minutes_digest, log_index, job_id
		FROM commission_sessions WHERE id = $1`, id).Scan(&lead, &s.Number, tcol{&s.Date}, &head, &s.CreatedBy, tcol{&s.CreatedAt},
		tcol{&s.Closed}, nstr{&minutesDigest}, &logIndex, nstr{&jobID})
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.commission.session.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading session %s: %w", id, err)
	}
	s.MinutesDigest, s.Job = minutesDigest, jobID
	if logIndex != nil {
		s.LogIndex = *logIndex
	}
	var h sessionHead
	if err := json.Unmarshal([]byte(head), &h); err != nil {
		return nil, fmt.Errorf("reading session %s: %w", id, err)
	}
	s.Quorum, s.Present, s.Declarations, s.Recused, s.Criteria, s.ReviewWindow, s.Signatures =
		h.Quorum, h.Present, h.Declarations, h.Recused, h.Criteria, h.ReviewWindow, h.Signatures
	c, err := t.Commission(ctx, lead)
	if err != nil {
		return nil, err
	}
	s.Commission = *c
	rows, err := t.Query(ctx, `SELECT content FROM session_candidates WHERE session_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the candidates of session %s: %w", id, err)
	}
	for rows.Next() {
		var content string
		var cand commission.Candidate
		if err := rows.Scan(&content); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the candidates of session %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(content), &cand); err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading the candidates of session %s: %w", id, err)
		}
		s.Candidates = append(s.Candidates, cand)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ds, err := t.decisions(ctx, `SELECT d.content FROM commission_decisions d JOIN session_candidates c
		ON c.session_id = d.session_id AND c.person_id = d.candidate
		WHERE d.session_id = $1 ORDER BY c.position, d.competence`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the decisions of session %s: %w", id, err)
	}
	s.Decisions = ds
	return &s, nil
}

func (t commissionRows) decisions(ctx context.Context, q string, args ...any) ([]commission.Decision, error) {
	rows, err := t.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []commission.Decision
	for rows.Next() {
		var content string
		if err := rows.Scan(&content); err != nil {
			return nil, err
		}
		var d commission.Decision
		if err := json.Unmarshal([]byte(content), &d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Sessions implements commission.Reader.
func (t commissionRows) Sessions(ctx context.Context, commissionID string) ([]commission.Line, error) {
	rows, err := t.Query(ctx, `SELECT s.id, s.number, s.date, s.closed_at, s.job_id,
			(SELECT COUNT(*) FROM session_candidates c WHERE c.session_id = s.id),
			(SELECT COUNT(*) FROM commission_decisions d WHERE d.session_id = s.id)
		FROM commission_sessions s WHERE s.commission_id = $1 ORDER BY s.number`, commissionID)
	if err != nil {
		return nil, fmt.Errorf("listing the sessions of commission %s: %w", commissionID, err)
	}
	defer rows.Close()
	var out []commission.Line
	for rows.Next() {
		l := commission.Line{Commission: commissionID}
		if err := rows.Scan(&l.ID, &l.Number, tcol{&l.Date}, tcol{&l.Closed}, nstr{&l.Job}, &l.Candidates, &l.Decisions); err != nil {
			return nil, fmt.Errorf("listing the sessions of commission %s: %w", commissionID, err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// Eligible implements commission.Reader.
func (t commissionRows) Eligible(ctx context.Context, sector string, provinces []string, limit int) ([]string, error) {
	var a args
	q := `SELECT d.id FROM dossiers d
		JOIN experiences e ON e.id = d.experience_id
		JOIN organisations o ON o.id = e.school_id
		WHERE d.state = 'locked' AND e.sector = ` + a.add(sector) + ` AND o.province IN ` + a.in(provinces) + `
		AND NOT EXISTS (SELECT 1 FROM session_candidates sc JOIN commission_sessions cs ON cs.id = sc.session_id
			WHERE sc.dossier_id = d.id AND (cs.closed_at IS NULL OR EXISTS (SELECT 1 FROM commission_decisions cd
				WHERE cd.session_id = sc.session_id AND cd.candidate = sc.person_id AND cd.outcome <> 'suspended')))
		ORDER BY d.id LIMIT ` + a.add(limit)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing the dossiers for a commission: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("listing the dossiers for a commission: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// InsertSession implements commission.Writer.
func (t commissionRows) InsertSession(ctx context.Context, s *commission.Session) error {
	head, err := json.Marshal(headOf(s))
	if err != nil {
		return err
	}
	_, err = t.isolated(ctx, `INSERT INTO commission_sessions (id, commission_id, number, date, head, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.ID, s.Commission.ID, s.Number, t.at(s.Date), string(head), s.CreatedBy, t.at(s.CreatedAt))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.commission.session.taken", s.Number)
	}
	if err != nil {
		return fmt.Errorf("inserting session %s: %w", s.ID, err)
	}
	for i, c := range s.Candidates {
		content, err := json.Marshal(c)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `INSERT INTO session_candidates (session_id, person_id, dossier_id, position, content)
			VALUES ($1, $2, $3, $4, $5)`, s.ID, c.Person, c.Dossier, i, string(content)); err != nil {
			return fmt.Errorf("inserting the candidates of session %s: %w", s.ID, err)
		}
	}
	return nil
}

func headOf(s *commission.Session) sessionHead {
	return sessionHead{Quorum: s.Quorum, Present: s.Present, Declarations: s.Declarations, Recused: s.Recused, Criteria: s.Criteria,
		ReviewWindow: s.ReviewWindow, Signatures: s.Signatures}
}

// PutSession implements commission.Writer.
func (t commissionRows) PutSession(ctx context.Context, s *commission.Session, minutes []byte) error {
	head, err := json.Marshal(headOf(s))
	if err != nil {
		return err
	}
	var logIndex any
	if !s.Closed.IsZero() {
		logIndex = s.LogIndex
	}
	_, err = t.Exec(ctx, `UPDATE commission_sessions SET head = $1, closed_at = $2, minutes_digest = $3, log_index = $4, job_id = $5,
		minutes = COALESCE($6, minutes) WHERE id = $7`,
		string(head), t.tm(s.Closed), null(s.MinutesDigest), logIndex, null(s.Job), nullText(minutes), s.ID)
	if err != nil {
		return fmt.Errorf("writing session %s: %w", s.ID, err)
	}
	return nil
}

// nullText passes bytes as a text, none as NULL.
func nullText(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}

// PutDecisions implements commission.Writer.
func (t commissionRows) PutDecisions(ctx context.Context, session string, ds []commission.Decision) error {
	for _, d := range ds {
		content, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if _, err := t.Exec(ctx, `INSERT INTO commission_decisions (session_id, candidate, competence, outcome, content)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (session_id, candidate, competence) DO UPDATE SET outcome = excluded.outcome, content = excluded.content`,
			session, d.Candidate, d.Competence, string(d.Outcome), string(content)); err != nil {
			return fmt.Errorf("writing the decisions of session %s: %w", session, err)
		}
	}
	return nil
}

// DropDecisions implements commission.Writer.
func (t commissionRows) DropDecisions(ctx context.Context, session string, ds []commission.Decision) error {
	for _, d := range ds {
		if _, err := t.Exec(ctx, `DELETE FROM commission_decisions WHERE session_id = $1 AND candidate = $2 AND competence = $3`,
			session, d.Candidate, d.Competence); err != nil {
			return fmt.Errorf("withdrawing the decisions of session %s: %w", session, err)
		}
	}
	return nil
}

// Unissued implements commission.Reader.
func (t commissionRows) Unissued(ctx context.Context, session string, after commission.Key, limit int) ([]commission.Decision, error) {
	// The key orders the scan: a batch goes on from the last one's, not
	// from the session's first decision again.
	ds, err := t.decisions(ctx, `SELECT d.content FROM commission_decisions d
		WHERE d.session_id = $1 AND d.outcome = 'certified' AND (d.candidate > $2 OR d.candidate = $2 AND d.competence > $3)
		AND NOT EXISTS (SELECT 1 FROM badges b WHERE b.session_id = d.session_id AND b.candidate = d.candidate AND b.competence = d.competence)
		ORDER BY d.candidate, d.competence LIMIT $4`, session, after.Candidate, after.Competence, limit)
	if err != nil {
		return nil, fmt.Errorf("listing what session %s has to issue: %w", session, err)
	}
	return ds, nil
}

// Decided implements commission.Reader.
func (t commissionRows) Decided(ctx context.Context, person string) ([]commission.Decided, error) {
	rows, err := t.Query(ctx, `SELECT d.content, s.id, s.closed_at, c.id, c.chamber_id, c.sector
		FROM commission_decisions d JOIN commission_sessions s ON s.id = d.session_id JOIN commissions c ON c.id = s.commission_id
		WHERE d.candidate = $1 ORDER BY s.date DESC, d.competence LIMIT 500`, person)
	if err != nil {
		return nil, fmt.Errorf("listing the decisions about %s: %w", person, err)
	}
	defer rows.Close()
	var out []commission.Decided
	for rows.Next() {
		var content string
		var d commission.Decided
		if err := rows.Scan(&content, &d.Session, tcol{&d.Closed}, &d.Commission, &d.Chamber, &d.Sector); err != nil {
			return nil, fmt.Errorf("listing the decisions about %s: %w", person, err)
		}
		if err := json.Unmarshal([]byte(content), &d.Decision); err != nil {
			return nil, fmt.Errorf("listing the decisions about %s: %w", person, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Badge implements commission.Reader.
func (t commissionRows) Badge(ctx context.Context, credentialID string) (*commission.Badge, error) {
	bs, err := t.badges(ctx, "", "", credentialID)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
	}
	return &bs[0], nil
}

// Badges implements commission.Reader.
func (t commissionRows) Badges(ctx context.Context, session, person string) ([]commission.Badge, error) {
	return t.badges(ctx, session, person, "")
}

func (t commissionRows) badges(ctx context.Context, session, person, credentialID string) ([]commission.Badge, error) {
	var a args
	q := `SELECT b.session_id, b.candidate, b.competence, b.credential_id, b.issued_at, cr.issuer_id, cr.achievement, cr.revoked, cr.suspended
		FROM badges b JOIN credentials cr ON cr.id = b.credential_id WHERE `
	switch {
	case session != "":
		q += `b.session_id = ` + a.add(session)
	case person != "":
		q += `b.candidate = ` + a.add(person)
	default:
		q += `b.credential_id = ` + a.add(credentialID)
	}
	q += ` ORDER BY b.issued_at, b.candidate, b.competence`
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing badges: %w", err)
	}
	defer rows.Close()
	var out []commission.Badge
	for rows.Next() {
		var b commission.Badge
		var achievement string
		if err := rows.Scan(&b.Session, &b.Candidate, &b.Competence, &b.Credential, tcol{&b.IssuedAt}, &b.Issuer, &achievement,
			&b.Revoked, &b.Suspended); err != nil {
			return nil, fmt.Errorf("listing badges: %w", err)
		}
		if sector, rest, ok := strings.Cut(achievement, "/v"); ok {
			version, _, _ := strings.Cut(rest, "/")
			b.Sector = sector
			b.Version, _ = strconv.Atoi(version)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// InsertCredential implements commission.Writer: the credential, its
// audit entry and its log entry, in this transaction.
func (t commissionRows) InsertCredential(ctx context.Context, p credential.Prepared) error {
	return insertCredential(ctx, t.Tx, p.Record, p.Entry, p.Trail)
}

// InsertBadge implements commission.Writer.
func (t commissionRows) InsertBadge(ctx context.Context, b commission.Badge) error {
	_, err := t.Exec(ctx, `INSERT INTO badges (session_id, candidate, competence, credential_id, issued_at) VALUES ($1, $2, $3, $4, $5)`,
		b.Session, b.Candidate, b.Competence, b.Credential, t.at(b.IssuedAt))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.commission.badge.taken", b.Candidate, b.Competence)
	}
	if err != nil {
		return fmt.Errorf("inserting the badge of %s, %s: %w", b.Candidate, b.Competence, err)
	}
	return nil
}

// InsertNotice implements commission.Writer.
func (t commissionRows) InsertNotice(ctx context.Context, n commission.Notice) error {
	a, err := json.Marshal(n.Args)
	if err != nil {
		return err
	}
	if _, err := t.Exec(ctx, `INSERT INTO notices (id, person_id, key, args, link, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		n.ID, n.Person, n.Key, string(a), n.Link, t.at(n.Created)); err != nil {
		return fmt.Errorf("inserting a notice for %s: %w", n.Person, err)
	}
	return nil
}

// Notices implements commission.Reader.
func (t commissionRows) Notices(ctx context.Context, person string, limit int) ([]commission.Notice, error) {
	rows, err := t.Query(ctx, `SELECT id, key, args, link, created_at FROM notices WHERE person_id = $1
		ORDER BY created_at DESC, id LIMIT $2`, person, limit)
	if err != nil {
		return nil, fmt.Errorf("listing the notices of %s: %w", person, err)
	}
	defer rows.Close()
	var out []commission.Notice
	for rows.Next() {
		n := commission.Notice{Person: person}
		var a string
		if err := rows.Scan(&n.ID, &n.Key, &a, &n.Link, tcol{&n.Created}); err != nil {
			return nil, fmt.Errorf("listing the notices of %s: %w", person, err)
		}
		if err := json.Unmarshal([]byte(a), &n.Args); err != nil {
			return nil, fmt.Errorf("listing the notices of %s: %w", person, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// AppendLog implements commission.Writer: the minutes' entry goes to the
// log in this transaction.
func (t commissionRows) AppendLog(ctx context.Context, entry []byte) (int64, error) {
	if err := guard.LogEntry(entry); err != nil {
		return 0, err
	}
	leaf, err := t.db.e.AppendLog(ctx, t.Conn, entry)
	if err != nil {
		return 0, fmt.Errorf("appending the minutes to the log: %w", err)
	}
	return leaf, nil
}

// InsertStacked implements commission.Writer.
func (t commissionRows) InsertStacked(ctx context.Context, st *commission.Stacked) error {
	badges, err := json.Marshal(st.Badges)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO stacked_badges (person_id, sector, version, path, credential_id, badges, issued_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (person_id, sector, version, path) DO UPDATE SET credential_id = excluded.credential_id, badges = excluded.badges,
			issued_at = excluded.issued_at`, st.Person, st.Sector, st.Version, st.Path, st.Credential, string(badges), t.at(st.IssuedAt))
	if err != nil {
		return fmt.Errorf("recording the area credential of %s: %w", st.Person, err)
	}
	return nil
}

// Stacks implements commission.Reader.
func (t commissionRows) Stacks(ctx context.Context, person string) ([]commission.Stacked, error) {
	rows, err := t.Query(ctx, `SELECT sector, version, path, credential_id, badges, issued_at FROM stacked_badges
		WHERE person_id = $1 ORDER BY issued_at, path`, person)
	if err != nil {
		return nil, fmt.Errorf("listing the area credentials of %s: %w", person, err)
	}
	defer rows.Close()
	var out []commission.Stacked
	for rows.Next() {
		st := commission.Stacked{Person: person}
		var badges string
		if err := rows.Scan(&st.Sector, &st.Version, &st.Path, &st.Credential, &badges, tcol{&st.IssuedAt}); err != nil {
			return nil, fmt.Errorf("listing the area credentials of %s: %w", person, err)
		}
		if err := json.Unmarshal([]byte(badges), &st.Badges); err != nil {
			return nil, fmt.Errorf("listing the area credentials of %s: %w", person, err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Stack implements commission.Reader.
func (t commissionRows) Stack(ctx context.Context, credentialID string) (*commission.Stacked, error) {
	st := commission.Stacked{Credential: credentialID}
	var badges string
	err := t.QueryRow(ctx, `SELECT person_id, sector, version, path, badges, issued_at FROM stacked_badges WHERE credential_id = $1`,
		credentialID).Scan(&st.Person, &st.Sector, &st.Version, &st.Path, &badges, tcol{&st.IssuedAt})
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the area credential %s: %w", credentialID, err)
	}
	if err := json.Unmarshal([]byte(badges), &st.Badges); err != nil {
		return nil, fmt.Errorf("reading the area credential %s: %w", credentialID, err)
	}
	return &st, nil
}

// MinutesOf implements commission.Reader.
func (t commissionRows) MinutesOf(ctx context.Context, credentialID string) (*commission.MinutesRef, error) {
	var m commission.MinutesRef
	var index sql.NullInt64
	err := t.QueryRow(ctx, `SELECT s.id, s.number, s.date, s.closed_at, c.chamber_id, s.minutes_digest, s.log_index
		FROM badges b JOIN commission_sessions s ON s.id = b.session_id JOIN commissions c ON c.id = s.commission_id
		WHERE b.credential_id = $1 AND s.closed_at IS NOT NULL`, credentialID).
		Scan(&m.Session, &m.Number, tcol{&m.Date}, tcol{&m.Closed}, &m.Chamber, nstr{&m.Digest}, &index)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.credential.notfound", credentialID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the minutes of %s: %w", credentialID, err)
	}
	m.LogIndex = index.Int64
	if !index.Valid {
		m.LogIndex = -1
	}
	return &m, nil
}
