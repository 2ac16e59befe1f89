package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/roundtable"
)

// tableRows are the territorial tables, their members, meetings and
// attachments, in a transaction.
type tableRows struct{ *Tx }

// dcol scans a day: a text 2006-01-02 (SQLite) or a DATE (PostgreSQL).
type dcol struct{ s *string }

func (c dcol) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*c.s = v.Format(time.DateOnly)
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("reading a day from %T", v)
	}
	return nil
}

const tableColumns = `t.id, t.chamber_id, c.name, c.province, t.sector, t.year, t.title, t.status, t.created_at, t.updated_at`

const tableFrom = ` FROM territorial_tables t JOIN organisations c ON c.id = t.chamber_id`

func scanTable(r Row) (*roundtable.Table, error) {
	var t roundtable.Table
	err := r.Scan(&t.ID, &t.Chamber, &t.ChamberName, &t.Province, &t.Sector, &t.Year, &t.Title, &t.Status, tcol{&t.CreatedAt}, tcol{&t.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Table implements roundtable.Reader.
func (t tableRows) Table(ctx context.Context, id string) (*roundtable.Table, error) {
	tb, err := scanTable(t.QueryRow(ctx, `SELECT `+tableColumns+tableFrom+` WHERE t.id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.roundtable.table.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading table %s: %w", id, err)
	}
	members, err := t.tableMembers(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	tb.Members = members[id]
	return tb, nil
}

// tableMembers returns the members of the tables ids, by table.
func (t tableRows) tableMembers(ctx context.Context, ids []string) (map[string][]roundtable.Member, error) {
	out := map[string][]roundtable.Member{}
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	rows, err := t.Query(ctx, `SELECT m.table_id, o.id, o.kind, o.name, o.province, m.added_at
		FROM territorial_table_members m JOIN organisations o ON o.id = m.org_id
		WHERE m.table_id IN `+a.in(ids)+` ORDER BY o.name, o.id`, a...)
	if err != nil {
		return nil, fmt.Errorf("listing table members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var m roundtable.Member
		if err := rows.Scan(&table, &m.Org, &m.Kind, &m.Name, &m.Province, tcol{&m.AddedAt}); err != nil {
			return nil, fmt.Errorf("reading table members: %w", err)
		}
		out[table] = append(out[table], m)
	}
	return out, rows.Err()
}

// Tables implements roundtable.Reader.
func (t tableRows) Tables(ctx context.Context, f roundtable.Filter) ([]roundtable.Table, error) {
	var where []string
	var a args
	if f.Sector != "" {
		where = append(where, `t.sector = `+a.add(f.Sector))
	}
	if f.Year != "" {
		where = append(where, `t.year = `+a.add(f.Year))
	}
	if f.Status != "" {
		where = append(where, `t.status = `+a.add(f.Status))
	}
	// A table is in reach by its Chamber or by one of its members; tables
	// have no province of their own to filter on.
	if f.Reach.All() {
		where = append(where, a.within(f.Reach, ``))
	} else {
		where = append(where, `(`+a.within(f.Reach, ``, `t.chamber_id`)+
			` OR t.id IN (SELECT table_id FROM territorial_table_members WHERE `+a.within(f.Reach, ``, `org_id`)+`))`)
	}
	q := `SELECT ` + tableColumns + tableFrom + ` WHERE ` + strings.Join(where, ` AND `)
	q += ` ORDER BY t.year DESC, t.sector, t.title, t.id LIMIT ` + a.add(f.Limit) + ` OFFSET ` + a.add(f.Offset)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing tables: %w", err)
	}
	var out []roundtable.Table
	var ids []string
	for rows.Next() {
		tb, err := scanTable(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading tables: %w", err)
		}
		out, ids = append(out, *tb), append(ids, tb.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading tables: %w", err)
	}
	members, err := t.tableMembers(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Members = members[out[i].ID]
	}
	return out, nil
}

const meetingColumns = `id, table_id, day, agenda, minutes, created_at, updated_at`

func scanMeeting(r Row) (*roundtable.Meeting, error) {
	var m roundtable.Meeting
	if err := r.Scan(&m.ID, &m.Table, dcol{&m.Date}, &m.Agenda, &m.Minutes, tcol{&m.CreatedAt}, tcol{&m.UpdatedAt}); err != nil {
		return nil, err
	}
	return &m, nil
}

// TableMeeting implements roundtable.Reader.
func (t tableRows) TableMeeting(ctx context.Context, id string) (*roundtable.Meeting, error) {
	m, err := scanMeeting(t.QueryRow(ctx, `SELECT `+meetingColumns+` FROM table_meetings WHERE id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.roundtable.meeting.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading meeting %s: %w", id, err)
	}
	if m.Attachments, err = t.attachments(ctx, `a.meeting_id = $1`, id); err != nil {
		return nil, err
	}
	return m, nil
}

// TableMeetings implements roundtable.Reader.
func (t tableRows) TableMeetings(ctx context.Context, table string) ([]roundtable.Meeting, error) {
	rows, err := t.Query(ctx, `SELECT `+meetingColumns+` FROM table_meetings WHERE table_id = $1 ORDER BY day, seq`, table)
	if err != nil {
		return nil, fmt.Errorf("listing meetings of table %s: %w", table, err)
	}
	var out []roundtable.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("reading meetings of table %s: %w", table, err)
		}
		out = append(out, *m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading meetings of table %s: %w", table, err)
	}
	as, err := t.attachments(ctx, `a.meeting_id IN (SELECT id FROM table_meetings WHERE table_id = $1)`, table)
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		for i := range out {
			if out[i].ID == a.Meeting {
				out[i].Attachments = append(out[i].Attachments, a)
			}
		}
	}
	return out, nil
}

const attachmentColumns = `a.id, a.meeting_id, a.name, a.content_type, a.size, a.sha256, a.created_at`

func scanAttachment(r Row) (*roundtable.Attachment, error) {
	var a roundtable.Attachment
	if err := r.Scan(&a.ID, &a.Meeting, &a.Name, &a.ContentType, &a.Size, &a.SHA256, tcol{&a.CreatedAt}); err != nil {
		return nil, err
	}
	return &a, nil
}

// attachments lists the attachments (without content) matching where,
// in the order they were added.
func (t tableRows) attachments(ctx context.Context, where string, args ...any) ([]roundtable.Attachment, error) {
	rows, err := t.Query(ctx, `SELECT `+attachmentColumns+` FROM table_meeting_attachments a WHERE `+where+
		` ORDER BY a.seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("listing attachments: %w", err)
	}
	defer rows.Close()
	var out []roundtable.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, fmt.Errorf("reading attachments: %w", err)
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// TableAttachment implements roundtable.Reader.
func (t tableRows) TableAttachment(ctx context.Context, id string) (*roundtable.Attachment, error) {
	a, err := scanAttachment(t.QueryRow(ctx, `SELECT `+attachmentColumns+` FROM table_meeting_attachments a WHERE a.id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.roundtable.attachment.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading attachment %s: %w", id, err)
	}
	return a, nil
}

// TableAttachmentContent implements roundtable.Reader.
func (t tableRows) TableAttachmentContent(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := t.QueryRow(ctx, `SELECT content FROM table_meeting_attachments WHERE id = $1`, id).Scan(&b)
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.roundtable.attachment.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading attachment %s: %w", id, err)
	}
	return b, nil
}

// InsertTable implements roundtable.Writer.
func (t tableRows) InsertTable(ctx context.Context, tb *roundtable.Table) error {
	_, err := t.Exec(ctx, `INSERT INTO territorial_tables (id, chamber_id, sector, year, title, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, tb.ID, tb.Chamber, tb.Sector, tb.Year, tb.Title, tb.Status, t.tm(tb.CreatedAt), t.tm(tb.UpdatedAt))
	switch {
	case err == nil:
		return nil
	case t.d.IsForeignKey(err):
		return attesta.E(attesta.NotFound, "err.roundtable.chamber.unknown", tb.Chamber)
	case t.d.IsUnique(err):
		return attesta.E(attesta.Conflict, "err.storage.table.taken", tb.Chamber, tb.Sector, tb.Year)
	}
	return fmt.Errorf("writing table %s: %w", tb.ID, err)
}

// UpdateTable implements roundtable.Writer.
func (t tableRows) UpdateTable(ctx context.Context, tb *roundtable.Table) error {
	n, err := t.Exec(ctx, `UPDATE territorial_tables SET title = $1, status = $2, updated_at = $3 WHERE id = $4`,
		tb.Title, tb.Status, t.tm(tb.UpdatedAt), tb.ID)
	if err != nil {
		return fmt.Errorf("writing table %s: %w", tb.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.roundtable.table.notfound", tb.ID)
	}
	return nil
}

// TouchTable implements roundtable.Writer.
func (t tableRows) TouchTable(ctx context.Context, id string, at time.Time) error {
	n, err := t.Exec(ctx, `UPDATE territorial_tables SET updated_at = $1 WHERE id = $2`, t.tm(at), id)
	if err != nil {
		return fmt.Errorf("writing table %s: %w", id, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.roundtable.table.notfound", id)
	}
	return nil
}

// AddTableMember implements roundtable.Writer.
func (t tableRows) AddTableMember(ctx context.Context, table, org string, at time.Time) error {
	_, err := t.Exec(ctx, `INSERT INTO territorial_table_members (table_id, org_id, added_at) VALUES ($1, $2, $3)`, table, org, t.tm(at))
	switch {
	case err == nil:
		return nil
	case t.d.IsForeignKey(err):
		return attesta.E(attesta.NotFound, "err.storage.tablemember.notfound", table, org)
	case t.d.IsUnique(err):
		return attesta.E(attesta.Conflict, "err.roundtable.member.already", org)
	}
	return fmt.Errorf("adding %s to table %s: %w", org, table, err)
}

// RemoveTableMember implements roundtable.Writer.
func (t tableRows) RemoveTableMember(ctx context.Context, table, org string) error {
	n, err := t.Exec(ctx, `DELETE FROM territorial_table_members WHERE table_id = $1 AND org_id = $2`, table, org)
	if err != nil {
		return fmt.Errorf("removing %s from table %s: %w", org, table, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.roundtable.member.notfound", org)
	}
	return nil
}

// InsertTableMeeting implements roundtable.Writer.
func (t tableRows) InsertTableMeeting(ctx context.Context, m *roundtable.Meeting) error {
	_, err := t.Exec(ctx, `INSERT INTO table_meetings (id, table_id, day, agenda, minutes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, m.ID, m.Table, m.Date, m.Agenda, m.Minutes, t.tm(m.CreatedAt), t.tm(m.UpdatedAt))
	switch {
	case err == nil:
		return nil
	case t.d.IsForeignKey(err):
		return attesta.E(attesta.NotFound, "err.roundtable.table.notfound", m.Table)
	case t.d.IsUnique(err):
		return attesta.E(attesta.Conflict, "err.storage.meeting.taken", m.ID)
	}
	return fmt.Errorf("writing meeting %s: %w", m.ID, err)
}

// UpdateTableMeeting implements roundtable.Writer.
func (t tableRows) UpdateTableMeeting(ctx context.Context, m *roundtable.Meeting) error {
	n, err := t.Exec(ctx, `UPDATE table_meetings SET day = $1, agenda = $2, minutes = $3, updated_at = $4 WHERE id = $5`,
		m.Date, m.Agenda, m.Minutes, t.tm(m.UpdatedAt), m.ID)
	if err != nil {
		return fmt.Errorf("writing meeting %s: %w", m.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.roundtable.meeting.notfound", m.ID)
	}
	return nil
}

// InsertTableAttachment implements roundtable.Writer.
func (t tableRows) InsertTableAttachment(ctx context.Context, a *roundtable.Attachment, content []byte) error {
	_, err := t.Exec(ctx, `INSERT INTO table_meeting_attachments (id, meeting_id, name, content_type, size, sha256, content, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.Meeting, a.Name, a.ContentType, a.Size, a.SHA256, content, t.tm(a.CreatedAt))
	switch {
	case err == nil:
		return nil
	case t.d.IsForeignKey(err):
		return attesta.E(attesta.NotFound, "err.roundtable.meeting.notfound", a.Meeting)
	case t.d.IsUnique(err):
		return attesta.E(attesta.Conflict, "err.storage.attachment.taken", a.ID)
	}
	return fmt.Errorf("writing attachment %s: %w", a.ID, err)
}
