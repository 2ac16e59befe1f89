package competence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

var (
	sectorIDPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	pathIDPattern         = sectorIDPattern
	competenceCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9.-]{0,31}$`)
	adaCodePattern        = regexp.MustCompile(`^ADA(\.[0-9]{1,4}){2,4}$`)
	resultCodePattern     = regexp.MustCompile(`^RA[0-9]{1,3}$`)
	iscedFPattern         = regexp.MustCompile(`^[0-9]{4}$`)
	digestPattern         = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// MaxVersion is the highest version number a standard may have.
const MaxVersion = 100000

// Validate checks every rule a version must satisfy whatever its status and
// returns the problems found, with paths relative to prefix.
func Validate(s *Standard, prefix string) Problems {
	v := &validator{}
	v.standard(s, prefix)
	return v.problems
}

// ValidateFile checks every standard of f and the rules that hold between
// them: each (sector, version) at most once, at most one draft and one
// published version per sector, superseded versions older than the
// published one.
func ValidateFile(f *File) Problems {
	v := &validator{}
	type key struct {
		sector  string
		version int
	}
	seen := map[key]int{}
	published := map[string]int{}
	drafts := map[string]int{}
	for i := range f.Standards {
		s := &f.Standards[i]
		p := fmt.Sprintf("standards[%d]", i)
		v.standard(s, p)
		k := key{s.Sector, s.Version}
		if j, dup := seen[k]; dup {
			v.add(p+".version", "err.competence.version.duplicate", s.Version, s.Sector, j)
		}
		seen[k] = i
		switch s.Status {
		case Published:
			if j, dup := published[s.Sector]; dup {
				v.add(p+".status", "err.competence.published.two", s.Sector, j)
			}
			published[s.Sector] = i
		case Draft:
			if j, dup := drafts[s.Sector]; dup {
				v.add(p+".status", "err.competence.drafts.two", s.Sector, j)
			}
			drafts[s.Sector] = i
		}
	}
	for i := range f.Standards {
		s := &f.Standards[i]
		j, ok := published[s.Sector]
		if !ok {
			continue
		}
		pub := &f.Standards[j]
		switch {
		case s.Status == Superseded && s.Version > pub.Version:
			v.add(fmt.Sprintf("standards[%d].version", i), "err.competence.superseded.newer", s.Version, pub.Version)
		case s.Status == Draft && s.Version < pub.Version:
			v.add(fmt.Sprintf("standards[%d].version", i), "err.competence.draft.olderpublished", s.Version, pub.Version)
		}
	}
	return v.problems
}

// ReadyToPublish returns what a draft lacks to be published: an observation
// scale of [ScaleLevels] levels, each with its descriptor, at least one path
// with competences, and the micro-credential elements every credential
// must carry.
func ReadyToPublish(s *Standard) Problems {
	v := &validator{}
	switch {
	case len(s.Scale) == 0:
		v.add("observation_scale", "err.competence.ready.scale")
	case len(s.Scale) != ScaleLevels:
		v.add("observation_scale", "err.competence.scale.three", ScaleLevels, len(s.Scale))
	}
	for i, l := range s.Scale {
		if strings.TrimSpace(l.Description.IT) == "" {
			v.add(fmt.Sprintf("observation_scale[%d].description.it", i), "err.competence.ready.scale.description", l.Value)
		}
	}
	if len(s.Paths) == 0 {
		v.add("paths", "err.competence.ready.paths")
	}
	for i, p := range s.Paths {
		if len(p.Competences) == 0 {
			v.add(fmt.Sprintf("paths[%d].competences", i), "err.competence.ready.path.empty", p.ID)
		}
	}
	if len(s.Competences) == 0 {
		v.add("competences", "err.competence.ready.competences")
	}
	for i, c := range s.Competences {
		p := fmt.Sprintf("competences[%d].microcredential", i)
		m := c.MicroCredential.Effective(s.Defaults)
		if m.EQFLevel == 0 {
			v.add(p+".eqf_level", "err.competence.ready.eqf", c.Code)
		}
		if m.QNQLevel == 0 {
			v.add(p+".qnq_level", "err.competence.ready.qnq", c.Code)
		}
		if m.ISCEDF == "" {
			v.add(p+".isced_f", "err.competence.ready.iscedf", c.Code)
		}
		if m.WorkloadHours == 0 && m.Workload.IsZero() {
			v.add(p+".workload", "err.competence.ready.workload", c.Code)
		}
		if len(m.LearningModes) == 0 {
			v.add(p+".learning_modes", "err.competence.ready.learningmode", c.Code)
		}
		if m.Assessment.IsZero() {
			v.add(p+".assessment", "err.competence.ready.assessment", c.Code)
		}
		if m.QualityAssurance.IsZero() {
			v.add(p+".quality_assurance", "err.competence.ready.qa", c.Code)
		}
		if len(s.PathsOf(c.Code)) == 0 {
			v.add(fmt.Sprintf("competences[%d].code", i), "err.competence.ready.nopath", c.Code)
		}
	}
	return v.problems
}

// ComputeDigest returns the digest of the version's content: everything but
// its status, publication time and digest. Two versions with the same
// content have the same digest.
func ComputeDigest(s *Standard) string {
	c := *s
	c.Status, c.PublishedAt, c.Digest = "", time.Time{}, ""
	b, err := json.Marshal(&c)
	if err != nil {
		panic("competence: marshalling a standard cannot fail: " + err.Error())
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

type validator struct{ problems Problems }

// add records a problem at path: the message key with args.
func (v *validator) add(path, key string, args ...any) {
	v.problems = append(v.problems, newProblem(path, attesta.M(key, args...)))
}

func (v *validator) text(t Text, path string, required bool, max int) {
	if required && strings.TrimSpace(t.IT) == "" {
		v.add(join(path, "it"), "err.competence.text.italian")
	}
	v.textValue(t.IT, join(path, "it"), max)
	v.textValue(t.EN, join(path, "en"), max)
}

func (v *validator) textValue(s, path string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.add(path, "err.competence.text.utf8")
	case utf8.RuneCountInString(s) > max:
		v.add(path, "err.competence.text.long", utf8.RuneCountInString(s), max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
		v.add(path, "err.competence.text.control")
	case s != strings.TrimSpace(s):
		v.add(path, "err.competence.text.spaces")
	}
}

// code checks a code or identifier s, which must match re: missing is the
// key of the problem when it is empty, malformed when it does not match
// (said with s). It reports whether s is valid.
func (v *validator) code(s, path string, re *regexp.Regexp, missing, malformed string) bool {
	if s == "" {
		v.add(path, missing)
		return false
	}
	if !re.MatchString(s) {
		v.add(path, malformed, s)
		return false
	}
	return true
}

func (v *validator) standard(s *Standard, p string) {
	v.code(s.Sector, join(p, "sector"), sectorIDPattern, "err.competence.sector.required", "err.competence.sector.invalid")
	if s.Version < 1 || s.Version > MaxVersion {
		v.add(join(p, "version"), "err.competence.version.range", MaxVersion, s.Version)
	}
	switch {
	case !s.Status.valid():
		v.add(join(p, "status"), "err.competence.status.unknown", s.Status)
	case s.Status == Draft:
		if !s.PublishedAt.IsZero() {
			v.add(join(p, "published_at"), "err.competence.draft.publishedat")
		}
		if s.Digest != "" {
			v.add(join(p, "digest"), "err.competence.draft.digest")
		}
	default:
		if s.PublishedAt.IsZero() {
			v.add(join(p, "published_at"), "err.competence.publishedat.required", statusName(s.Status))
		} else if !s.PublishedAt.Equal(s.PublishedAt.Truncate(time.Microsecond)) {
			v.add(join(p, "published_at"), "err.competence.publishedat.precision")
		}
		if s.Digest != "" && !digestPattern.MatchString(s.Digest) {
			v.add(join(p, "digest"), "err.competence.digest.form", s.Digest)
		} else if s.Digest != "" {
			if want := ComputeDigest(s); want != s.Digest {
				v.add(join(p, "digest"), "err.competence.digest.mismatch", want)
			}
		}
	}
	v.text(s.Title, join(p, "title"), true, maxShortText)
	v.text(s.Description, join(p, "description"), false, maxLongText)
	for i, l := range s.Levels {
		lp := join(p, fmt.Sprintf("levels[%d]", i))
		if l != Tecnico && l != Professional {
			v.add(lp, "err.competence.level.unknown", l)
		}
		if slices.Index(s.Levels, l) != i {
			v.add(lp, "err.competence.level.twice", l)
		}
	}
	for i, l := range s.Scale {
		lp := join(p, fmt.Sprintf("observation_scale[%d]", i))
		if l.Value != i+1 {
			v.add(join(lp, "value"), "err.competence.scale.order", i+1, l.Value)
		}
		v.text(l.Label, join(lp, "label"), true, maxShortText)
		v.text(l.Description, join(lp, "description"), false, maxLongText)
	}
	if n := len(s.Scale); n == 1 || n > 10 {
		v.add(join(p, "observation_scale"), "err.competence.scale.size", n)
	}
	v.microCredential(&s.Defaults, join(p, "microcredential"))

	codes := map[string]int{}
	for i := range s.Competences {
		c := &s.Competences[i]
		cp := join(p, fmt.Sprintf("competences[%d]", i))
		if v.code(c.Code, join(cp, "code"), competenceCodePattern, "err.competence.code.required", "err.competence.code.invalid") {
			if j, dup := codes[c.Code]; dup {
				v.add(join(cp, "code"), "err.competence.code.twice", c.Code, j)
			}
			codes[c.Code] = i
		}
		v.competence(c, cp)
	}
	paths := map[string]int{}
	for i := range s.Paths {
		pa := &s.Paths[i]
		pp := join(p, fmt.Sprintf("paths[%d]", i))
		if v.code(pa.ID, join(pp, "id"), pathIDPattern, "err.competence.path.required", "err.competence.path.invalid") {
			if j, dup := paths[pa.ID]; dup {
				v.add(join(pp, "id"), "err.competence.path.twice", pa.ID, j)
			}
			paths[pa.ID] = i
		}
		v.text(pa.Title, join(pp, "title"), true, maxShortText)
		v.text(pa.Description, join(pp, "description"), false, maxLongText)
		inPath := map[string]bool{}
		for j, pc := range pa.Competences {
			cp := fmt.Sprintf("%s.competences[%d]", pp, j)
			if _, ok := codes[pc.Code]; !ok {
				v.add(join(cp, "code"), "err.competence.path.undefined", pc.Code)
			}
			if inPath[pc.Code] {
				v.add(join(cp, "code"), "err.competence.path.repeated", pc.Code, pa.ID)
			}
			inPath[pc.Code] = true
			if len(pc.SchoolTypes) == 0 {
				v.add(join(cp, "school_types"), "err.competence.schooltype.required")
			}
			for k, t := range pc.SchoolTypes {
				if !slices.Contains(SchoolTypes, t) {
					v.add(fmt.Sprintf("%s.school_types[%d]", cp, k), "err.competence.schooltype.unknown", t)
				} else if slices.Index(pc.SchoolTypes, t) != k {
					v.add(fmt.Sprintf("%s.school_types[%d]", cp, k), "err.competence.schooltype.twice", t)
				}
			}
		}
		v.stack(pa, inPath, pp)
	}
}

// stack checks a path's stacking rule: each code a competence of the path,
// none twice.
func (v *validator) stack(pa *Path, inPath map[string]bool, p string) {
	for i, code := range pa.Stack {
		sp := fmt.Sprintf("%s.stack[%d]", p, i)
		switch {
		case !inPath[code]:
			v.add(sp, "err.competence.stack.notinpath", code, pa.ID)
		case slices.Index(pa.Stack, code) != i:
			v.add(sp, "err.competence.stack.twice", code, pa.ID)
		}
	}
}

func (v *validator) competence(c *Competence, p string) {
	v.text(c.Title, join(p, "title"), true, maxShortText)
	v.text(c.Description, join(p, "description"), false, maxLongText)
	adas := map[string]bool{}
	results := map[string]bool{}
	for i := range c.ADA {
		a := &c.ADA[i]
		ap := fmt.Sprintf("%s.ada[%d]", p, i)
		if v.code(a.Code, join(ap, "code"), adaCodePattern, "err.competence.ada.required", "err.competence.ada.invalid") {
			if adas[a.Code] {
				v.add(join(ap, "code"), "err.competence.ada.twice", a.Code, c.Code)
			}
			adas[a.Code] = true
		}
		if a.FormerCode != "" && !adaCodePattern.MatchString(a.FormerCode) {
			v.add(join(ap, "former_code"), "err.competence.ada.former.invalid", a.FormerCode)
		}
		v.text(a.Title, join(ap, "title"), true, maxShortText)
		for j := range a.Results {
			r := &a.Results[j]
			rp := fmt.Sprintf("%s.results[%d]", ap, j)
			if v.code(r.Code, join(rp, "code"), resultCodePattern, "err.competence.result.required", "err.competence.result.invalid") {
				if results[r.Code] {
					v.add(join(rp, "code"), "err.competence.result.twice", r.Code, c.Code)
				}
				results[r.Code] = true
			}
			v.text(r.Title, join(rp, "title"), true, maxLongText)
			for k := range r.Activities {
				act := &r.Activities[k]
				acp := fmt.Sprintf("%s.activities[%d]", rp, k)
				v.text(act.Title, join(acp, "title"), true, maxLongText)
				for e := range act.Evidences {
					v.text(act.Evidences[e].Text, fmt.Sprintf("%s.evidences[%d].text", acp, e), true, maxLongText)
				}
			}
		}
	}
	v.microCredential(&c.MicroCredential, join(p, "microcredential"))
}

func (v *validator) microCredential(m *MicroCredential, p string) {
	if m.EQFLevel < 0 || m.EQFLevel > 8 {
		v.add(join(p, "eqf_level"), "err.competence.eqf.range", m.EQFLevel)
	}
	if m.QNQLevel < 0 || m.QNQLevel > 8 {
		v.add(join(p, "qnq_level"), "err.competence.qnq.range", m.QNQLevel)
	}
	if m.ISCEDF != "" && !iscedFPattern.MatchString(m.ISCEDF) {
		v.add(join(p, "isced_f"), "err.competence.iscedf.form", m.ISCEDF)
	}
	if m.WorkloadHours < 0 || m.WorkloadHours > 10000 {
		v.add(join(p, "workload_hours"), "err.competence.workload.range", m.WorkloadHours)
	}
	if m.Credits < 0 || m.Credits > 240 {
		v.add(join(p, "credits"), "err.competence.credits.range", m.Credits)
	}
	v.text(m.Workload, join(p, "workload"), false, maxLongText)
	for i, mode := range m.LearningModes {
		mp := fmt.Sprintf("%s.learning_modes[%d]", p, i)
		if !slices.Contains(LearningModes, mode) {
			v.add(mp, "err.competence.learningmode.unknown", mode)
		} else if slices.Index(m.LearningModes, mode) != i {
			v.add(mp, "err.competence.learningmode.twice", mode)
		}
	}
	v.text(m.Assessment, join(p, "assessment"), false, maxLongText)
	v.text(m.QualityAssurance, join(p, "quality_assurance"), false, maxLongText)
	v.text(m.Prerequisites, join(p, "prerequisites"), false, maxLongText)
	for i, e := range m.ESCO {
		ep := fmt.Sprintf("%s.esco[%d]", p, i)
		u, err := url.Parse(e.URI)
		if err != nil || u.Scheme != "http" || u.Host != "data.europa.eu" || !strings.HasPrefix(u.Path, "/esco/") {
			v.add(join(ep, "uri"), "err.competence.esco.uri", e.URI)
		}
		v.text(e.Title, join(ep, "title"), true, maxShortText)
	}
}
