package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/org"
)

// orgRows are the organisations, in a transaction.
type orgRows struct{ *Tx }

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

func (t orgRows) orgOne(ctx context.Context, what, query string, args ...any) (*org.Organisation, error) {
	o, err := scanOrg(t.QueryRow(ctx, `SELECT `+orgColumns+` FROM organisations WHERE `+query, args...))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.auth.notfound.organisation", what)
	}
	if err != nil {
		return nil, fmt.Errorf("reading organisation %s: %w", what, err)
	}
	return o, nil
}

// Organisation implements org.Reader, people.Reader, importer.Reader and roundtable.Writer.
func (t orgRows) Organisation(ctx context.Context, id string) (*org.Organisation, error) {
	return t.orgOne(ctx, id, `id = $1`, id)
}

// OrganisationByKey implements importer.Reader.
func (t orgRows) OrganisationByKey(ctx context.Context, kind auth.OrgKind, key string) (*org.Organisation, error) {
	switch kind {
	case auth.School:
		return t.orgOne(ctx, key, `kind = $1 AND school_code = $2`, kind, key)
	case auth.Company, auth.Association:
		return t.orgOne(ctx, key, `kind = $1 AND tax_code = $2`, kind, key)
	}
	return t.orgOne(ctx, key, `kind = $1 AND id = $2`, kind, key)
}

// Organisations implements org.Reader and importer.Reader.
func (t orgRows) Organisations(ctx context.Context, f org.Filter) ([]org.Organisation, error) {
	var where []string
	var a args
	if f.Kind != "" {
		where = append(where, `kind = `+a.add(f.Kind))
	}
	if f.Query != "" {
		p := a.add(like(f.Query))
		where = append(where, `(LOWER(name) LIKE `+p+` ESCAPE '\' OR LOWER(COALESCE(school_code, '')) LIKE `+p+` ESCAPE '\' OR COALESCE(tax_code, '') LIKE `+p+` ESCAPE '\')`)
	}
	where = append(where, a.within(f.Reach, `province`, `id`))
	q := `SELECT ` + orgColumns + ` FROM organisations WHERE ` + strings.Join(where, ` AND `)
	q += ` ORDER BY name, id LIMIT ` + a.add(f.Limit) + ` OFFSET ` + a.add(f.Offset)
	rows, err := t.Query(ctx, q, a...)
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

func (t orgRows) orgArgs(o *org.Organisation) []any {
	return []any{o.Kind, o.Name, o.Province, strings.Join(o.Provinces, " "), null(o.SchoolCode), string(o.SchoolType),
		null(o.TaxCode), o.REA, o.ATECO, o.Email, t.tm(o.CreatedAt), t.tm(o.UpdatedAt), o.ID}
}

func (t orgRows) orgConflict(err error, o *org.Organisation) error {
	if t.d.IsUnique(err) {
		var fe attesta.FieldErrors
		fe.Problem(orgKeyField(o), "err.storage.org.taken")
		return fe.Conflict()
	}
	return fmt.Errorf("writing organisation %s: %w", o.ID, err)
}

// InsertOrganisation implements org.Writer and importer.Writer.
func (t orgRows) InsertOrganisation(ctx context.Context, o *org.Organisation) error {
	_, err := t.Exec(ctx, `INSERT INTO organisations (kind, name, province, provinces, school_code, school_type, tax_code,
		rea, ateco, email, created_at, updated_at, id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, t.orgArgs(o)...)
	if err != nil {
		return t.orgConflict(err, o)
	}
	return nil
}

// UpdateOrganisation implements org.Writer and importer.Writer.
func (t orgRows) UpdateOrganisation(ctx context.Context, o *org.Organisation) error {
	n, err := t.Exec(ctx, `UPDATE organisations SET kind = $1, name = $2, province = $3, provinces = $4, school_code = $5,
		school_type = $6, tax_code = $7, rea = $8, ateco = $9, email = $10, created_at = $11, updated_at = $12 WHERE id = $13`, t.orgArgs(o)...)
	if err != nil {
		return t.orgConflict(err, o)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.auth.notfound.organisation", o.ID)
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
