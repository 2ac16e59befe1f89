package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/course"
)

// courseRows are the training courses and the Chambers' settings of the
// tutor badge, in a transaction. In a write transaction (forUpdate) a
// course read is locked until the transaction ends, so that concurrent
// changes of one course (attendance of two lessons recorded at once) are
// made one after the other, each on what the other wrote.
type courseRows struct {
	*Tx
	forUpdate bool
}

const courseColumns = `id, chamber_id, state, plan, hours, created_at, updated_at, closed_at`

func scanCourse(r Row) (*course.Course, error) {
	var c course.Course
	var plan string
	if err := r.Scan(&c.ID, &c.Chamber, &c.State, &plan, &c.Hours, tcol{&c.CreatedAt}, tcol{&c.UpdatedAt}, tcol{&c.ClosedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(plan), &c.Plan); err != nil {
		return nil, fmt.Errorf("reading course %s: %w", c.ID, err)
	}
	return &c, nil
}

// fill reads a course's participants and attendance.
func (t courseRows) fill(ctx context.Context, c *course.Course) error {
	rows, err := t.Query(ctx, `SELECT person_id, name, role, org_id, outcome, minutes, completed_at, valid_until, credential_id, issued_at
		FROM course_participants WHERE course_id = $1 ORDER BY position`, c.ID)
	if err != nil {
		return fmt.Errorf("reading the participants of course %s: %w", c.ID, err)
	}
	c.Participants = []course.Participant{}
	for rows.Next() {
		var p course.Participant
		if err := rows.Scan(&p.Person, &p.Name, &p.Role, &p.Org, &p.Outcome, &p.Minutes, tcol{&p.CompletedAt}, tcol{&p.ValidUntil},
			nstr{&p.Credential}, tcol{&p.IssuedAt}); err != nil {
			rows.Close()
			return fmt.Errorf("reading the participants of course %s: %w", c.ID, err)
		}
		c.Participants = append(c.Participants, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = t.Query(ctx, `SELECT lesson, person_id, minutes FROM course_attendance WHERE course_id = $1 ORDER BY lesson, person_id`, c.ID)
	if err != nil {
		return fmt.Errorf("reading the attendance of course %s: %w", c.ID, err)
	}
	defer rows.Close()
	c.Attendance = []course.Attendance{}
	for rows.Next() {
		var a course.Attendance
		if err := rows.Scan(&a.Lesson, &a.Person, &a.Minutes); err != nil {
			return fmt.Errorf("reading the attendance of course %s: %w", c.ID, err)
		}
		c.Attendance = append(c.Attendance, a)
	}
	return rows.Err()
}

// Course implements course.Reader.
func (t courseRows) Course(ctx context.Context, id string) (*course.Course, error) {
	q := `SELECT ` + courseColumns + ` FROM courses WHERE id = $1`
	if t.forUpdate {
		q += t.d.ForUpdate
	}
	c, err := scanCourse(t.QueryRow(ctx, q, id))
	if noRows(err) {
		return nil, attesta.E(attesta.NotFound, "err.course.notfound", id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading course %s: %w", id, err)
	}
	if err := t.fill(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Courses implements course.Reader.
func (t courseRows) Courses(ctx context.Context, f course.Filter) ([]course.Course, error) {
	var a args
	var where []string
	switch {
	case f.All:
	case f.Chamber != "":
		where = append(where, `chamber_id = `+a.add(f.Chamber))
	case f.Person != "":
		where = append(where, `id IN (SELECT course_id FROM course_participants WHERE person_id = `+a.add(f.Person)+`)`)
	default:
		return nil, nil
	}
	if f.State != "" {
		where = append(where, `state = `+a.add(string(f.State)))
	}
	if f.Audience != "" {
		where = append(where, `audience = `+a.add(string(f.Audience)))
	}
	q := `SELECT ` + courseColumns + ` FROM courses`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY created_at DESC, id LIMIT ` + a.add(f.Limit)
	rows, err := t.Query(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("listing courses: %w", err)
	}
	var out []course.Course
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("listing courses: %w", err)
		}
		out = append(out, *c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := t.fill(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InsertCourse implements course.Writer.
func (t courseRows) InsertCourse(ctx context.Context, c *course.Course) error {
	plan, err := json.Marshal(c.Plan)
	if err != nil {
		return err
	}
	_, err = t.Exec(ctx, `INSERT INTO courses (id, chamber_id, audience, state, title, plan, hours, created_at, updated_at, closed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.Chamber, string(c.Audience), string(c.State), c.Title.IT, string(plan), c.Hours, t.at(c.CreatedAt), t.at(c.UpdatedAt), t.tm(c.ClosedAt))
	if t.d.IsForeignKey(err) {
		return attesta.E(attesta.NotFound, "err.auth.notfound.organisation", c.Chamber)
	}
	if err != nil {
		return fmt.Errorf("adding course %s: %w", c.ID, err)
	}
	return t.writeParts(ctx, c)
}

// UpdateCourse implements course.Writer.
func (t courseRows) UpdateCourse(ctx context.Context, c *course.Course) error {
	plan, err := json.Marshal(c.Plan)
	if err != nil {
		return err
	}
	n, err := t.Exec(ctx, `UPDATE courses SET audience = $1, state = $2, title = $3, plan = $4, hours = $5, updated_at = $6, closed_at = $7
		WHERE id = $8`, string(c.Audience), string(c.State), c.Title.IT, string(plan), c.Hours, t.at(c.UpdatedAt), t.tm(c.ClosedAt), c.ID)
	if err != nil {
		return fmt.Errorf("writing course %s: %w", c.ID, err)
	}
	if n != 1 {
		return attesta.E(attesta.NotFound, "err.course.notfound", c.ID)
	}
	return t.writeParts(ctx, c)
}

// writeParts writes a course's participants and attendance as they are
// in c: participants are updated in place (a recorded badge is kept, the
// engines refuse to change or remove it), the attendance rewritten.
func (t courseRows) writeParts(ctx context.Context, c *course.Course) error {
	if _, err := t.Exec(ctx, `DELETE FROM course_attendance WHERE course_id = $1`, c.ID); err != nil {
		return fmt.Errorf("writing the attendance of course %s: %w", c.ID, err)
	}
	var a args
	keep := []string{}
	for _, p := range c.Participants {
		keep = append(keep, p.Person)
	}
	if _, err := t.Exec(ctx, `DELETE FROM course_participants WHERE course_id = `+a.add(c.ID)+` AND person_id NOT IN `+a.in(keep), a...); err != nil {
		return fmt.Errorf("writing the participants of course %s: %w", c.ID, err)
	}
	for i, p := range c.Participants {
		_, err := t.Exec(ctx, `INSERT INTO course_participants (course_id, person_id, position, name, role, org_id, outcome, minutes,
				completed_at, valid_until, credential_id, issued_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (course_id, person_id) DO UPDATE SET position = excluded.position, name = excluded.name, role = excluded.role,
				org_id = excluded.org_id, outcome = excluded.outcome, minutes = excluded.minutes, completed_at = excluded.completed_at,
				valid_until = excluded.valid_until, credential_id = excluded.credential_id, issued_at = excluded.issued_at`,
			c.ID, p.Person, i+1, p.Name, string(p.Role), p.Org, string(p.Outcome), p.Minutes,
			t.tm(p.CompletedAt), t.tm(p.ValidUntil), null(p.Credential), t.tm(p.IssuedAt))
		if t.d.IsForeignKey(err) {
			return attesta.E(attesta.NotFound, "err.auth.notfound.person", p.Person)
		}
		if t.d.IsUnique(err) {
			return attesta.E(attesta.Conflict, "err.storage.credential.taken", p.Credential, 0, 0)
		}
		if err != nil {
			return fmt.Errorf("writing participant %s of course %s: %w", p.Person, c.ID, err)
		}
	}
	for _, at := range c.Attendance {
		_, err := t.Exec(ctx, `INSERT INTO course_attendance (course_id, lesson, person_id, minutes) VALUES ($1, $2, $3, $4)`,
			c.ID, at.Lesson, at.Person, at.Minutes)
		if err != nil {
			return fmt.Errorf("writing the attendance of course %s: %w", c.ID, err)
		}
	}
	return nil
}

// CourseSettings implements course.Reader.
func (t courseRows) CourseSettings(ctx context.Context, chamber string) (course.Settings, error) {
	s := course.Settings{Chamber: chamber}
	err := t.QueryRow(ctx, `SELECT require_tutor_badge, tutor_badge_validity, updated_at FROM course_settings WHERE chamber_id = $1`, chamber).
		Scan(&s.RequireTutorBadge, &s.ValidityMonths, tcol{&s.UpdatedAt})
	if noRows(err) {
		return course.Settings{Chamber: chamber}, nil
	}
	if err != nil {
		return course.Settings{}, fmt.Errorf("reading the course settings of %s: %w", chamber, err)
	}
	return s, nil
}

// PutCourseSettings implements course.Writer.
func (t courseRows) PutCourseSettings(ctx context.Context, s *course.Settings) error {
	_, err := t.Exec(ctx, `INSERT INTO course_settings (chamber_id, require_tutor_badge, tutor_badge_validity, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (chamber_id) DO UPDATE SET require_tutor_badge = excluded.require_tutor_badge,
			tutor_badge_validity = excluded.tutor_badge_validity, updated_at = excluded.updated_at`,
		s.Chamber, s.RequireTutorBadge, s.ValidityMonths, t.at(s.UpdatedAt))
	if t.d.IsForeignKey(err) {
		return attesta.E(attesta.NotFound, "err.auth.notfound.organisation", s.Chamber)
	}
	if err != nil {
		return fmt.Errorf("writing the course settings of %s: %w", s.Chamber, err)
	}
	return nil
}

// TutorBadges implements course.Reader.
func (t courseRows) TutorBadges(ctx context.Context, person string) ([]course.Badge, error) {
	rows, err := t.Query(ctx, `SELECT p.course_id, c.chamber_id, p.credential_id, p.completed_at, p.valid_until,
			COALESCE(cr.revoked, `+t.d.True+`), COALESCE(cr.suspended, `+t.d.True+`)
		FROM course_participants p JOIN courses c ON c.id = p.course_id LEFT JOIN credentials cr ON cr.id = p.credential_id
		WHERE p.person_id = $1 AND p.outcome = 'completed' AND c.state = 'closed'
		ORDER BY p.completed_at, p.course_id`, person)
	if err != nil {
		return nil, fmt.Errorf("listing the tutor badges of %s: %w", person, err)
	}
	defer rows.Close()
	var out []course.Badge
	for rows.Next() {
		b := course.Badge{Person: person}
		if err := rows.Scan(&b.Course, &b.Chamber, nstr{&b.Credential}, tcol{&b.CompletedAt}, tcol{&b.ValidUntil}, &b.Revoked, &b.Suspended); err != nil {
			return nil, fmt.Errorf("listing the tutor badges of %s: %w", person, err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ChambersCovering implements course.Reader.
func (t courseRows) ChambersCovering(ctx context.Context, provinces []string) ([]string, error) {
	if len(provinces) == 0 {
		return nil, nil
	}
	rows, err := t.Query(ctx, `SELECT id, provinces FROM organisations WHERE kind = 'chamber' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("listing the Chambers: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, covered string
		if err := rows.Scan(&id, &covered); err != nil {
			return nil, fmt.Errorf("listing the Chambers: %w", err)
		}
		if slices.ContainsFunc(strings.Fields(covered), func(p string) bool { return slices.Contains(provinces, p) }) {
			out = append(out, id)
		}
	}
	return out, rows.Err()
}
