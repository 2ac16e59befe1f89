package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
)

const orgColumns = `id, kind, name, province, provinces, school_code, school_type, tax_code, rea, ateco, email, created_at, updated_at`

func scanOrg(r Row) (*org.Organisation, error) {
	var o org.Organisation
	var provinces string
	err := r.Scan(&o.ID, &o.Kind, &o.Name, &o.Province, &provinces, nstr{&o.SchoolCode}, &o.SchoolType,
		nstr{&o.TaxCode}, &o.REA, &o.ATECO, &o.Email, tcol{&o.CreatedAt}, tcol{&o.UpdatedAt})
	if err != nil {
		return nil, err
	}
	o.Provinces = strings.Fields(provinces)
	return &o, nil
}

func (t *Tx) orgOne(ctx context.Context, what, query string, args ...any) (*org.Organisation, error) {
	o, err := scanOrg(t.row(ctx, `SELECT `+orgColumns+` FROM organisations WHERE `+query, args...))
	if t.c.NoRows(err) {
		return nil, attesta.Errorf(attesta.NotFound, "organisation %s not found", what)
	}
	if err != nil {
		return nil, fmt.Errorf("reading organisation %s: %w", what, err)
	}
	return o, nil
}

// Organisation implements org.Reader.
func (t *Tx) Organisation(ctx context.Context, id string) (*org.Organisation, error) {
	return t.orgOne(ctx, id, `id = ?`, id)
}

// OrganisationByKey implements org.Reader.
func (t *Tx) OrganisationByKey(ctx context.Context, kind auth.OrgKind, key string) (*org.Organisation, error) {
	switch kind {
	case auth.School:
		return t.orgOne(ctx, key, `kind = ? AND school_code = ?`, kind, key)
	case auth.Company, auth.Association:
		return t.orgOne(ctx, key, `kind = ? AND tax_code = ?`, kind, key)
	}
	return t.orgOne(ctx, key, `kind = ? AND id = ?`, kind, key)
}

// Organisations implements org.Reader.
func (t *Tx) Organisations(ctx context.Context, f org.Filter) ([]org.Organisation, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, `kind = ?`), append(args, f.Kind)
	}
	if f.Query != "" {
		p := like(f.Query)
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR LOWER(COALESCE(school_code, '')) LIKE ? ESCAPE '\' OR COALESCE(tax_code, '') LIKE ? ESCAPE '\')`)
		args = append(args, p, p, p)
	}
	if f.IDs != nil || f.Provinces != nil {
		ids, a1 := in(f.IDs)
		provs, a2 := in(f.Provinces)
		where = append(where, `(id IN `+ids+` OR province IN `+provs+`)`)
		args = append(append(args, a1...), a2...)
	}
	q := `SELECT ` + orgColumns + ` FROM organisations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY name, id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("listing organisations: %w", err)
	}
	defer rows.Close()
	var out []org.Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("reading organisations: %w", err)
		}
		out = append(out, *o)
	}
	return out, rows.Err()
}

func (t *Tx) orgArgs(o *org.Organisation) []any {
	return []any{o.Kind, o.Name, o.Province, strings.Join(o.Provinces, " "), null(o.SchoolCode), string(o.SchoolType),
		null(o.TaxCode), o.REA, o.ATECO, o.Email, t.tm(o.CreatedAt), t.tm(o.UpdatedAt), o.ID}
}

func (t *Tx) orgConflict(err error, o *org.Organisation) error {
	if t.d.IsUnique(err) {
		var fe attesta.FieldErrors
		fe.Add(orgKeyField(o), "esiste già un'organizzazione con questo identificativo, codice meccanografico o codice fiscale",
			"an organisation with this id, codice meccanografico or tax code exists already")
		return fe.Conflict()
	}
	return fmt.Errorf("writing organisation %s: %w", o.ID, err)
}

// InsertOrganisation implements org.Writer.
func (t *Tx) InsertOrganisation(ctx context.Context, o *org.Organisation) error {
	_, err := t.exec(ctx, `INSERT INTO organisations (kind, name, province, provinces, school_code, school_type, tax_code,
		rea, ateco, email, created_at, updated_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.orgArgs(o)...)
	if err != nil {
		return t.orgConflict(err, o)
	}
	return nil
}

// UpdateOrganisation implements org.Writer.
func (t *Tx) UpdateOrganisation(ctx context.Context, o *org.Organisation) error {
	n, err := t.exec(ctx, `UPDATE organisations SET kind = ?, name = ?, province = ?, provinces = ?, school_code = ?,
		school_type = ?, tax_code = ?, rea = ?, ateco = ?, email = ?, created_at = ?, updated_at = ? WHERE id = ?`, t.orgArgs(o)...)
	if err != nil {
		return t.orgConflict(err, o)
	}
	if n != 1 {
		return attesta.Errorf(attesta.NotFound, "organisation %s not found", o.ID)
	}
	return nil
}

// orgKeyField is the form field of an organisation's natural key.
func orgKeyField(o *org.Organisation) string {
	switch {
	case o.SchoolCode != "":
		return "school_code"
	case o.TaxCode != "":
		return "tax_code"
	}
	return "id"
}
