package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/experience"
)

// experienceRows are the training experiences, their students, revisions
// and hours, in a transaction.
type experienceRows struct{ *Tx }

const experienceColumns = `e.id, e.school_id, e.company_id, e.class_id, e.year, e.sector, e.version, e.state, e.revision, e.agreed,
	e.design, e.cancel_reason, e.created_at, e.updated_at, s.name, s.province, c.name, c.province`

const experienceFrom = ` FROM experiences e JOIN organisations s ON s.id = e.school_id JOIN organisations c ON c.id = e.company_id`

func scanExperience(r Row) (*experience.Experience, error) {
	var e experience.Experience
	var design string
	err := r.Scan(&e.ID, &e.School, &e.Company, &e.Class, &e.Year, &e.Sector, &e.Version, &e.State, &e.Revision, &e.Agreed,
		&design, &e.CancelReason, tcol{&e.CreatedAt}, tcol{&e.UpdatedAt}, &e.SchoolName, &e.SchoolProvince, &e.CompanyName, &e.CompanyProvince)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(design), &e.Design); err != nil {
		return nil, fmt.Errorf("reading the design of experience %s: %w", e.ID, err)
	}
	return &e, nil
}

// Experience implements experience.Reader.
func (t experienceRows) Experience(ctx context.Context, id string) (*experience.Experience, error) {
	e, err := scanExperience(t.QueryRow(ctx, `SELECT `+experienceColumns+experienceFrom+` WHERE e.id = $1`, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.experience.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading experience %s: %w", id, err)
	}
	return e, nil
}

// Experiences implements experience.Reader.
func (t experienceRows) Experiences(ctx context.Context, f experience.Filter) ([]experience.Experience, error) {
	var a args
	// An experience is in reach by its school or its company, by id or by
	// province.
	where := []string{`(` + a.within(f.Reach, `s.province`, `e.school_id`, `e.company_id`) + ` OR ` + a.within(f.Reach, `c.province`) + `)`}
	if f.Student != "" {
		where = append(where, `e.id IN (SELECT experience_id FROM experience_students WHERE person_id = `+a.add(f.Student)+`)`)
	}
	if f.Tutor != "" {
		p := a.add(f.Tutor)
		where = append(where, `(e.school_tutor = `+p+` OR e.company_tutor = `+p+`)`)
	}
	if f.State != "" {
		where = append(where, `e.state = `+a.add(string(f.State)))
	}
	if f.Year != "" {
		where = append(where, `e.year = `+a.add(f.Year))
	}
	q := `SELECT ` + experienceColumns + experienceFrom + ` WHERE ` + strings.Join(where, ` AND `) +
		` ORDER BY e.created_at DESC, e.id LIMIT ` + a.add(f.Limit) + ` OFFSET ` + a.add(f.Offset)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing experiences: %w", err)
	}
	defer rows.Close()
	var out []experience.Experience
	for rows.Next() {
		e, err := scanExperience(rows)
		if err != nil {
			return nil, fmt.Errorf("reading experiences: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// Revisions implements experience.Reader.
func (t experienceRows) Revisions(ctx context.Context, id string) ([]experience.Revision, error) {
	rows, err := t.Query(ctx, `SELECT number, design, digest, author, author_name, created_at, school_sign_off, company_sign_off
		FROM experience_revisions WHERE experience_id = $1 ORDER BY number`, id)
	if err != nil {
		return nil, fmt.Errorf("listing the revisions of experience %s: %w", id, err)
	}
	defer rows.Close()
	var out []experience.Revision
	for rows.Next() {
		r := experience.Revision{Experience: id}
		var design, school, company string
		if err := rows.Scan(&r.Number, &design, &r.Digest, &r.By, &r.ByName, tcol{&r.At}, nstr{&school}, nstr{&company}); err != nil {
			return nil, fmt.Errorf("reading the revisions of experience %s: %w", id, err)
		}
		if err := json.Unmarshal([]byte(design), &r.Design); err != nil {
			return nil, fmt.Errorf("reading revision %d of experience %s: %w", r.Number, id, err)
		}
		for _, so := range []struct {
			text string
			to   **experience.SignOff
		}{{school, &r.School}, {company, &r.Company}} {
			if so.text == "" {
				continue
			}
			*so.to = new(experience.SignOff)
			if err := json.Unmarshal([]byte(so.text), *so.to); err != nil {
				return nil, fmt.Errorf("reading a sign-off of experience %s: %w", id, err)
			}
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Attendances implements experience.Reader.
func (t experienceRows) Attendances(ctx context.Context, id string) ([]experience.Attendance, error) {
	rows, err := t.Query(ctx, `SELECT h.id, h.student_id, h.day, h.weekly, h.minutes, h.activity, h.supersedes, h.author, h.author_name,
			h.author_role, h.created_at, EXISTS (SELECT 1 FROM experience_hours n WHERE n.supersedes = h.id)
		FROM experience_hours h WHERE h.experience_id = $1 ORDER BY h.day, h.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("listing the hours of experience %s: %w", id, err)
	}
	defer rows.Close()
	var out []experience.Attendance
	for rows.Next() {
		a := experience.Attendance{Experience: id}
		var weekly int
		if err := rows.Scan(&a.ID, &a.Student, dcol{&a.Day}, &weekly, &a.Minutes, &a.Activity, nstr{&a.Supersedes}, &a.By, &a.ByName,
			&a.ByRole, tcol{&a.At}, &a.Superseded); err != nil {
			return nil, fmt.Errorf("reading the hours of experience %s: %w", id, err)
		}
		a.Weekly = weekly == 1
		out = append(out, a)
	}
	return out, rows.Err()
}

// PlannedHours implements experience.Reader.
func (t experienceRows) PlannedHours(ctx context.Context, year, except string, students []string) (experience.YearHours, error) {
	out := experience.YearHours{}
	if len(students) == 0 {
		return out, nil
	}
	var a args
	rows, err := t.Query(ctx, `SELECT s.person_id, SUM(e.planned_hours) FROM experience_students s JOIN experiences e ON e.id = s.experience_id
		WHERE e.year = `+a.add(year)+` AND e.id <> `+a.add(except)+` AND e.state <> 'cancelled' AND s.person_id IN `+a.in(students)+`
		GROUP BY s.person_id`, a...)
	if err != nil {
		return nil, fmt.Errorf("summing planned hours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p string
		var h int
		if err := rows.Scan(&p, &h); err != nil {
			return nil, fmt.Errorf("summing planned hours: %w", err)
		}
		out[p] = h
	}
	return out, rows.Err()
}

// InsertExperience implements experience.Writer.
func (t experienceRows) InsertExperience(ctx context.Context, e *experience.Experience, r *experience.Revision) error {
	design, err := json.Marshal(e.Design)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO experiences (id, school_id, company_id, class_id, year, sector, version, state, revision, agreed,
			title, school_tutor, company_tutor, planned_hours, design, cancel_reason, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
		e.ID, e.School, e.Company, e.Class, e.Year, e.Sector, e.Version, string(e.State), e.Revision, e.Agreed,
		e.Design.Title, e.Design.SchoolTutor, e.Design.CompanyTutor, e.Design.PlannedHours, string(design), e.CancelReason,
		t.at(e.CreatedAt), t.at(e.UpdatedAt))
	if err != nil {
		return fmt.Errorf("writing experience %s: %w", e.ID, err)
	}
	if err := t.setStudents(ctx, e); err != nil {
		return err
	}
	return t.InsertRevision(ctx, r)
}

// setStudents writes the students of e's latest design.
func (t experienceRows) setStudents(ctx context.Context, e *experience.Experience) error {
	if _, err := t.Exec(ctx, `DELETE FROM experience_students WHERE experience_id = $1`, e.ID); err != nil {
		return fmt.Errorf("writing the students of experience %s: %w", e.ID, err)
	}
	for _, s := range e.Design.Students {
		if _, err := t.Exec(ctx, `INSERT INTO experience_students (experience_id, person_id) VALUES ($1, $2)`, e.ID, s); err != nil {
			return fmt.Errorf("writing the students of experience %s: %w", e.ID, err)
		}
	}
	return nil
}

// TouchExperience implements experience.Writer.
func (t experienceRows) TouchExperience(ctx context.Context, id string, at time.Time) error {
	n, err := t.Exec(ctx, `UPDATE experiences SET updated_at = $1 WHERE id = $2`, t.at(at), id)
	if err != nil {
		return fmt.Errorf("writing experience %s: %w", id, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.experience.notfound", id)
	}
	return nil
}

// UpdateExperience implements experience.Writer.
func (t experienceRows) UpdateExperience(ctx context.Context, e *experience.Experience) error {
	design, err := json.Marshal(e.Design)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE experiences SET state = $1, revision = $2, agreed = $3, title = $4, school_tutor = $5, company_tutor = $6,
			planned_hours = $7, design = $8, cancel_reason = $9, updated_at = $10 WHERE id = $11`,
		string(e.State), e.Revision, e.Agreed, e.Design.Title, e.Design.SchoolTutor, e.Design.CompanyTutor, e.Design.PlannedHours,
		string(design), e.CancelReason, t.at(e.UpdatedAt), e.ID)
	if err != nil {
		return fmt.Errorf("writing experience %s: %w", e.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.experience.notfound", e.ID)
	}
	return t.setStudents(ctx, e)
}

// signOff encodes a sign-off, or NULL.
func signOff(s *experience.SignOff) (any, error) {
	if s == nil {
		return nil, nil
	}
	data, err := json.Marshal(s)
	return string(data), err
}

// InsertRevision implements experience.Writer.
func (t experienceRows) InsertRevision(ctx context.Context, r *experience.Revision) error {
	design, err := json.Marshal(r.Design)
	if err != nil {
		return err
	}
	school, err := signOff(r.School)
	if err != nil {
		return err
	}
	company, err := signOff(r.Company)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO experience_revisions (experience_id, number, design, digest, author, author_name, created_at,
			school_sign_off, company_sign_off) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.Experience, r.Number, string(design), r.Digest, r.By, r.ByName, t.at(r.At), school, company)
	if err != nil {
		return fmt.Errorf("writing revision %d of experience %s: %w", r.Number, r.Experience, err)
	}
	return nil
}

// UpdateRevision implements experience.Writer.
func (t experienceRows) UpdateRevision(ctx context.Context, r *experience.Revision) error {
	design, err := json.Marshal(r.Design)
	if err != nil {
		return err
	}
	school, err := signOff(r.School)
	if err != nil {
		return err
	}
	company, err := signOff(r.Company)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE experience_revisions SET design = $1, digest = $2, author = $3, author_name = $4, created_at = $5,
			school_sign_off = $6, company_sign_off = $7 WHERE experience_id = $8 AND number = $9`,
		string(design), r.Digest, r.By, r.ByName, t.at(r.At), school, company, r.Experience, r.Number)
	if err != nil {
		return fmt.Errorf("writing revision %d of experience %s: %w", r.Number, r.Experience, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.experience.revision.notfound", r.Number, r.Experience)
	}
	return nil
}

// InsertAttendance implements experience.Writer.
func (t experienceRows) InsertAttendance(ctx context.Context, a *experience.Attendance) error {
	weekly := 0
	if a.Weekly {
		weekly = 1
	}
	_, err := t.Exec(ctx, `INSERT INTO experience_hours (id, experience_id, student_id, day, weekly, minutes, activity, supersedes,
			author, author_name, author_role, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.ID, a.Experience, a.Student, a.Day, weekly, a.Minutes, a.Activity, null(a.Supersedes), a.By, a.ByName, string(a.ByRole), t.at(a.At))
	if t.d.IsUnique(err) {
		return attesta.E(attesta.Conflict, "err.experience.hours.superseded", a.Supersedes)
	}
	if err != nil {
		return fmt.Errorf("writing hours of experience %s: %w", a.Experience, err)
	}
	return nil
}
