package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/attesta/attesta/item"
)

// itemRows are the item bank's versions, in a transaction.
type itemRows struct{ *Tx }

const itemColumns = `v.id, v.version, v.owner, v.status, v.content, v.author, v.author_name, v.created_at, v.updated_at,
	v.reviewer, v.reviewer_name, v.reviewed_at, v.comment`

func scanItem(r Row) (*item.Version, error) {
	var v item.Version
	var content string
	var status string
	if err := r.Scan(&v.ID, &v.Version, &v.Owner, &status, &content, &v.Author, &v.AuthorName, tcol{&v.CreatedAt}, tcol{&v.UpdatedAt},
		&v.Reviewer, &v.ReviewerName, tcol{&v.ReviewedAt}, &v.Comment); err != nil {
		return nil, err
	}
	id, version := v.ID, v.Version
	if err := json.Unmarshal([]byte(content), &v.Item); err != nil {
		return nil, fmt.Errorf("reading item %s/%d: %w", id, version, err)
	}
	// The row's version and status: the content has neither.
	v.ID, v.Version, v.Status = id, version, item.Status(status)
	return &v, nil
}

// visible is the condition a version x of the bank must meet for f: in one
// of its banks, and approved or retired in the banks it lists only so.
func visible(a *args, f item.Filter, x string) string {
	var where []string
	if f.Owners != nil {
		where = append(where, x+`.owner IN `+a.in(f.Owners))
	}
	if len(f.PublishedOnly) > 0 {
		where = append(where, `(`+x+`.owner NOT IN `+a.in(f.PublishedOnly)+` OR `+x+`.status IN ('approved', 'retired'))`)
	}
	if len(where) == 0 {
		return `1 = 1`
	}
	return strings.Join(where, ` AND `)
}

// Items implements item.Reader: of each item, its latest version visible
// under f, when it matches f's other fields.
func (t itemRows) Items(ctx context.Context, f item.Filter) ([]item.Version, error) {
	var a args
	where := []string{visible(&a, f, `v`), `v.version = (SELECT MAX(w.version) FROM item_versions w WHERE w.id = v.id AND ` + visible(&a, f, `w`) + `)`}
	for _, c := range []struct{ col, v string }{{`v.sector`, f.Sector}, {`v.competence`, f.Competence}, {`v.status`, string(f.Status)},
		{`v.kind`, string(f.Kind)}, {`v.dimension`, string(f.Dimension)}, {`v.lang`, f.Lang}} {
		if c.v != "" {
			where = append(where, c.col+` = `+a.add(c.v))
		}
	}
	if f.Standard != 0 {
		where = append(where, `v.standard = `+a.add(f.Standard))
	}
	q := `SELECT ` + itemColumns + ` FROM item_versions v WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY v.id LIMIT ` + a.add(f.Limit) + ` OFFSET ` + a.add(f.Offset)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing the item bank: %w", err)
	}
	defer rows.Close()
	var out []item.Version
	for rows.Next() {
		v, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the item bank: %w", err)
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// ItemVersions implements item.Reader.
func (t itemRows) ItemVersions(ctx context.Context, id string) ([]item.Version, error) {
	rows, err := t.Query(ctx, `SELECT `+itemColumns+` FROM item_versions v WHERE v.id = $1 ORDER BY v.version`, id)
	if err != nil {
		return nil, fmt.Errorf("listing the versions of item %s: %w", id, err)
	}
	defer rows.Close()
	var out []item.Version
	for rows.Next() {
		v, err := scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("reading the versions of item %s: %w", id, err)
		}
		out = append(out, *v)
	}
	return out, rows.Err()
}

// itemContent is what a version says, without its version number and status
// (columns of their own), which change without changing it.
func itemContent(v *item.Version) ([]byte, error) {
	c := v.Item
	c.Version, c.Status = 0, ""
	return json.Marshal(c)
}

// InsertItem implements item.Writer.
func (t itemRows) InsertItem(ctx context.Context, v *item.Version) error {
	content, err := itemContent(v)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO item_versions (id, version, owner, status, sector, standard, competence, dimension, difficulty,
			lang, kind, content, author, author_name, created_at, updated_at, reviewer, reviewer_name, reviewed_at, comment)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		v.ID, v.Version, v.Owner, string(v.Status), v.Sector, v.Standard, v.Competence, string(v.Dimension), string(v.Difficulty),
		v.Lang, string(v.Kind), string(content), v.Author, v.AuthorName, t.at(v.CreatedAt), t.at(v.UpdatedAt),
		v.Reviewer, v.ReviewerName, t.tm(v.ReviewedAt), v.Comment)
	if err != nil {
		return fmt.Errorf("adding version %d of item %s: %w", v.Version, v.ID, err)
	}
	return nil
}

// UpdateItem implements item.Writer.
func (t itemRows) UpdateItem(ctx context.Context, v *item.Version) error {
	content, err := itemContent(v)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE item_versions SET status = $1, sector = $2, standard = $3, competence = $4, dimension = $5,
			difficulty = $6, lang = $7, kind = $8, content = $9, updated_at = $10, reviewer = $11, reviewer_name = $12,
			reviewed_at = $13, comment = $14
		WHERE id = $15 AND version = $16`,
		string(v.Status), v.Sector, v.Standard, v.Competence, string(v.Dimension), string(v.Difficulty), v.Lang, string(v.Kind),
		string(content), t.at(v.UpdatedAt), v.Reviewer, v.ReviewerName, t.tm(v.ReviewedAt), v.Comment, v.ID, v.Version)
	if err != nil {
		return fmt.Errorf("writing version %d of item %s: %w", v.Version, v.ID, err)
	}
	if n != 1 {
		return fmt.Errorf("writing version %d of item %s: %d rows", v.Version, v.ID, n)
	}
	return nil
}

// itemTx is the item bank's transaction: it reads the standards the items
// are checked against, and records to the audit trail.
type itemTx struct {
	standardRows
	itemRows
	trail
}

var (
	_ item.Reader = itemTx{}
	_ item.Writer = itemTx{}
)

// Items returns the store of the online test's item bank.
func (db *DB) Items() item.Store {
	tx := func(t *Tx) itemTx { return itemTx{standardRows{t}, itemRows{t}, trail{t}} }
	return store[item.Reader, item.Writer]{db,
		func(t *Tx) item.Reader { return tx(t) },
		func(t *Tx) item.Writer { return tx(t) }}
}
