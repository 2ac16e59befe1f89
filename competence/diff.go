package competence

import (
	"fmt"
	"slices"
)

// Op is what happened to a part of a standard between two versions.
type Op string

// The operations of a [Change].
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Kind is the kind of part of a standard a [Change] is about.
type Kind string

// The kinds of part.
const (
	SectorPart          Kind = "sector"          // the sector's title, description, levels
	ScalePart           Kind = "scale"           // a level of the observation scale
	MicroCredentialPart Kind = "microcredential" // the sector's defaults or a competence's overrides
	PathPart            Kind = "path"            // a path (area)
	PlacePart           Kind = "place"           // a competence's place in a path, with its school types
	CompetencePart      Kind = "competence"
	ADAPart             Kind = "ada"
	ResultPart          Kind = "result" // an expected result (RA)
	ActivityPart        Kind = "activity"
	EvidencePart        Kind = "evidence"
)

// Change is one difference between two versions of a standard.
//
// Path says where the part is, by identity rather than by position where
// the part has one: paths by id, competences, ADAs and results by code,
// scale levels by value ("competences[C1].ada[ADA.10.02.02].results[RA1]").
// Activities and evidences have no identity; they are matched by their
// content, and the index in Path is their position in the newer version
// (in the older one for a removed part).
//
// An added or removed part is one Change whose After or Before is the
// whole part (a [Competence], an [ADA], an [Evidence]…); a part present in
// both versions gives a Change per field that differs, named by Field,
// with the field's values before and after. A list whose common parts are
// in another order gives a Change with Field "order" and the identities
// in each order.
type Change struct {
	Op     Op     `json:"op"`
	Kind   Kind   `json:"kind"`
	Path   string `json:"path"`
	Field  string `json:"field,omitempty"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
}

// Where returns the place of the change: Path, followed by Field when
// there is one ("competences[C1].title").
func (c Change) Where() string { return join(c.Path, c.Field) }

// Diff returns what changed from version a to version b of a standard, in
// the order of the document: the sector, its scale, its micro-credential
// defaults, its paths, its competences. Two versions with the same content
// have no change; status, version, publication time and digest are not
// content. Either may be of another sector: Diff compares what it is
// given.
func Diff(a, b *Standard) []Change {
	d := &differ{}
	d.field(SectorPart, "", "title", a.Title, b.Title)
	d.field(SectorPart, "", "description", a.Description, b.Description)
	if !slices.Equal(a.Levels, b.Levels) {
		d.changed(SectorPart, "", "levels", a.Levels, b.Levels)
	}
	keyed(d, ScalePart, "observation_scale", a.Scale, b.Scale,
		func(l ScaleLevel) string { return fmt.Sprint(l.Value) },
		func(p string, x, y ScaleLevel) {
			d.field(ScalePart, p, "label", x.Label, y.Label)
			d.field(ScalePart, p, "description", x.Description, y.Description)
		})
	d.microCredential("microcredential", &a.Defaults, &b.Defaults)
	keyed(d, PathPart, "paths", a.Paths, b.Paths,
		func(p Path) string { return p.ID },
		func(p string, x, y Path) {
			d.field(PathPart, p, "title", x.Title, y.Title)
			d.field(PathPart, p, "description", x.Description, y.Description)
			keyed(d, PlacePart, p+".competences", x.Competences, y.Competences,
				func(pc PathCompetence) string { return pc.Code },
				func(p string, x, y PathCompetence) {
					if !slices.Equal(x.SchoolTypes, y.SchoolTypes) {
						d.changed(PlacePart, p, "school_types", x.SchoolTypes, y.SchoolTypes)
					}
				})
			if !slices.Equal(x.Stack, y.Stack) {
				d.changed(PathPart, p, "stack", x.Stack, y.Stack)
			}
		})
	keyed(d, CompetencePart, "competences", a.Competences, b.Competences,
		func(c Competence) string { return c.Code },
		func(p string, x, y Competence) {
			d.field(CompetencePart, p, "title", x.Title, y.Title)
			d.field(CompetencePart, p, "description", x.Description, y.Description)
			keyed(d, ADAPart, p+".ada", x.ADA, y.ADA,
				func(a ADA) string { return a.Code },
				func(p string, x, y ADA) { d.ada(p, &x, &y) })
			d.microCredential(p+".microcredential", &x.MicroCredential, &y.MicroCredential)
		})
	return d.changes
}

type differ struct{ changes []Change }

func (d *differ) add(c Change) { d.changes = append(d.changes, c) }

func (d *differ) changed(k Kind, path, field string, before, after any) {
	d.add(Change{Op: Changed, Kind: k, Path: path, Field: field, Before: before, After: after})
}

// field records a text field that differs.
func (d *differ) field(k Kind, path, field string, before, after Text) {
	if before != after {
		d.changed(k, path, field, before, after)
	}
}

// keyed compares two lists of parts that have an identity: parts only in a
// are removed, parts only in b added, parts in both compared by same; a
// different order of the common parts is a change of the list's "order".
func keyed[T any](d *differ, k Kind, list string, a, b []T, key func(T) string, same func(path string, x, y T)) {
	at := func(x T) string { return fmt.Sprintf("%s[%s]", list, key(x)) }
	inB := map[string]int{}
	for i, y := range b {
		inB[key(y)] = i
	}
	inA := map[string]int{}
	for i, x := range a {
		inA[key(x)] = i
	}
	var orderA, orderB []string
	for _, x := range a {
		if j, ok := inB[key(x)]; ok {
			orderA = append(orderA, key(x))
			same(at(x), x, b[j])
		} else {
			d.add(Change{Op: Removed, Kind: k, Path: at(x), Before: x})
		}
	}
	for _, y := range b {
		if _, ok := inA[key(y)]; ok {
			orderB = append(orderB, key(y))
		} else {
			d.add(Change{Op: Added, Kind: k, Path: at(y), After: y})
		}
	}
	if !slices.Equal(orderA, orderB) {
		d.changed(k, list, "order", orderA, orderB)
	}
}

// unkeyed compares two lists of parts without identity (activities,
// evidences), whose content is said by sig. The longest run of parts with
// the same content, in order, is matched first; between two matched
// parts, the unmatched ones are paired by position and compared by same,
// and the rest are added or removed. So removing the first of three
// evidences is one removal, and rewording one is one change.
func unkeyed[T any](d *differ, k Kind, list string, a, b []T, sig func(T) string, same func(path string, x, y T)) {
	at := func(i int) string { return fmt.Sprintf("%s[%d]", list, i) }
	sa, sb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		sa[i] = sig(a[i])
	}
	for j := range b {
		sb[j] = sig(b[j])
	}
	// lcs[i][j] is the length of the longest common subsequence of sa[i:]
	// and sb[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if sa[i] == sb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var gapA, gapB []int // indices not matched since the last match
	flush := func() {
		n := min(len(gapA), len(gapB))
		for i := range n {
			same(at(gapB[i]), a[gapA[i]], b[gapB[i]])
		}
		for _, i := range gapA[n:] {
			d.add(Change{Op: Removed, Kind: k, Path: at(i), Before: a[i]})
		}
		for _, j := range gapB[n:] {
			d.add(Change{Op: Added, Kind: k, Path: at(j), After: b[j]})
		}
		gapA, gapB = gapA[:0], gapB[:0]
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && sa[i] == sb[j]:
			flush()
			i, j = i+1, j+1
		case j == len(b) || (i < len(a) && lcs[i+1][j] >= lcs[i][j+1]):
			gapA = append(gapA, i)
			i++
		default:
			gapB = append(gapB, j)
			j++
		}
	}
	flush()
}

func (d *differ) ada(p string, x, y *ADA) {
	if x.FormerCode != y.FormerCode {
		d.changed(ADAPart, p, "former_code", x.FormerCode, y.FormerCode)
	}
	d.field(ADAPart, p, "title", x.Title, y.Title)
	keyed(d, ResultPart, p+".results", x.Results, y.Results,
		func(r Result) string { return r.Code },
		func(p string, x, y Result) {
			d.field(ResultPart, p, "title", x.Title, y.Title)
			// Activities are compared by value: an activity is its title
			// and its evidences, joined so that the type is comparable.
			unkeyed(d, ActivityPart, p+".activities", x.Activities, y.Activities, signature,
				func(p string, ax, ay Activity) {
					d.field(ActivityPart, p, "title", ax.Title, ay.Title)
					unkeyed(d, EvidencePart, p+".evidences", ax.Evidences, ay.Evidences, signature,
						func(p string, ex, ey Evidence) { d.field(EvidencePart, p, "text", ex.Text, ey.Text) })
				})
		})
}

// signature says a part's whole content, so that two parts with the same
// content have the same signature.
func signature[T Activity | Evidence](x T) string { return fmt.Sprintf("%q", x) }

// microCredential compares micro-credential elements field by field.
func (d *differ) microCredential(p string, x, y *MicroCredential) {
	k := MicroCredentialPart
	if x.EQFLevel != y.EQFLevel {
		d.changed(k, p, "eqf_level", x.EQFLevel, y.EQFLevel)
	}
	if x.QNQLevel != y.QNQLevel {
		d.changed(k, p, "qnq_level", x.QNQLevel, y.QNQLevel)
	}
	if x.ISCEDF != y.ISCEDF {
		d.changed(k, p, "isced_f", x.ISCEDF, y.ISCEDF)
	}
	if x.WorkloadHours != y.WorkloadHours {
		d.changed(k, p, "workload_hours", x.WorkloadHours, y.WorkloadHours)
	}
	if x.Credits != y.Credits {
		d.changed(k, p, "credits", x.Credits, y.Credits)
	}
	d.field(k, p, "workload", x.Workload, y.Workload)
	if !slices.Equal(x.LearningModes, y.LearningModes) {
		d.changed(k, p, "learning_modes", x.LearningModes, y.LearningModes)
	}
	d.field(k, p, "assessment", x.Assessment, y.Assessment)
	d.field(k, p, "quality_assurance", x.QualityAssurance, y.QualityAssurance)
	if !slices.Equal(x.ESCO, y.ESCO) {
		d.changed(k, p, "esco", x.ESCO, y.ESCO)
	}
	d.field(k, p, "prerequisites", x.Prerequisites, y.Prerequisites)
}
