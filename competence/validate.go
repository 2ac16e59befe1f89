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
			v.add(p+".version", "version %d of sector %q is also given at standards[%d]", s.Version, s.Sector, j)
		}
		seen[k] = i
		switch s.Status {
		case Published:
			if j, dup := published[s.Sector]; dup {
				v.add(p+".status", "sector %q has two published versions (the other at standards[%d]); publish one, mark the older superseded", s.Sector, j)
			}
			published[s.Sector] = i
		case Draft:
			if j, dup := drafts[s.Sector]; dup {
				v.add(p+".status", "sector %q has two drafts (the other at standards[%d])", s.Sector, j)
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
			v.add(fmt.Sprintf("standards[%d].version", i), "superseded version %d is newer than published version %d", s.Version, pub.Version)
		case s.Status == Draft && s.Version < pub.Version:
			v.add(fmt.Sprintf("standards[%d].version", i), "draft version %d is older than published version %d", s.Version, pub.Version)
		}
	}
	return v.problems
}

// ReadyToPublish returns what a draft lacks to be published: an observation
// scale, at least one path with competences, and the micro-credential
// elements every credential must carry.
func ReadyToPublish(s *Standard) Problems {
	v := &validator{}
	if len(s.Scale) == 0 {
		v.add("observation_scale", "an observation scale is required to publish")
	}
	if len(s.Paths) == 0 {
		v.add("paths", "at least one path is required to publish")
	}
	for i, p := range s.Paths {
		if len(p.Competences) == 0 {
			v.add(fmt.Sprintf("paths[%d].competences", i), "path %q has no competences", p.ID)
		}
	}
	if len(s.Competences) == 0 {
		v.add("competences", "at least one competence is required to publish")
	}
	for i, c := range s.Competences {
		p := fmt.Sprintf("competences[%d].microcredential", i)
		m := c.MicroCredential.Effective(s.Defaults)
		if m.EQFLevel == 0 {
			v.add(p+".eqf_level", "competence %s has no EQF level (set it here or in the sector's microcredential)", c.Code)
		}
		if m.QNQLevel == 0 {
			v.add(p+".qnq_level", "competence %s has no QNQ level", c.Code)
		}
		if m.ISCEDF == "" {
			v.add(p+".isced_f", "competence %s has no ISCED-F field", c.Code)
		}
		if m.WorkloadHours == 0 && m.Workload.IsZero() {
			v.add(p+".workload", "competence %s has no workload (hours or description)", c.Code)
		}
		if len(m.LearningModes) == 0 {
			v.add(p+".learning_modes", "competence %s has no learning mode", c.Code)
		}
		if m.Assessment.IsZero() {
			v.add(p+".assessment", "competence %s has no type of assessment", c.Code)
		}
		if m.QualityAssurance.IsZero() {
			v.add(p+".quality_assurance", "competence %s has no type of quality assurance", c.Code)
		}
		if len(s.PathsOf(c.Code)) == 0 {
			v.add(fmt.Sprintf("competences[%d].code", i), "competence %s is in no path", c.Code)
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

func (v *validator) add(path, format string, args ...any) {
	v.problems = append(v.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) text(t Text, path string, required bool, max int) {
	if required && strings.TrimSpace(t.IT) == "" {
		v.add(join(path, "it"), "the Italian text is required")
	}
	v.textValue(t.IT, join(path, "it"), max)
	v.textValue(t.EN, join(path, "en"), max)
}

func (v *validator) textValue(s, path string, max int) {
	switch {
	case !utf8.ValidString(s):
		v.add(path, "text is not valid UTF-8")
	case utf8.RuneCountInString(s) > max:
		v.add(path, "text is too long: %d characters, at most %d", utf8.RuneCountInString(s), max)
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }):
		v.add(path, "text contains control characters")
	case s != strings.TrimSpace(s):
		v.add(path, "text has leading or trailing spaces")
	}
}

func (v *validator) code(s, path, what string, re *regexp.Regexp, example string) bool {
	if s == "" {
		v.add(path, "%s is required", what)
		return false
	}
	if !re.MatchString(s) {
		v.add(path, "%s %q is not valid (expected something like %s)", what, s, example)
		return false
	}
	return true
}

func (v *validator) standard(s *Standard, p string) {
	v.code(s.Sector, join(p, "sector"), "sector identifier", sectorIDPattern, `"meccatronica" (lowercase letters, digits, dashes)`)
	if s.Version < 1 || s.Version > MaxVersion {
		v.add(join(p, "version"), "version must be between 1 and %d, found %d", MaxVersion, s.Version)
	}
	switch {
	case !s.Status.valid():
		v.add(join(p, "status"), "status %q is not one of draft, published, superseded", s.Status)
	case s.Status == Draft:
		if !s.PublishedAt.IsZero() {
			v.add(join(p, "published_at"), "a draft has no publication time")
		}
		if s.Digest != "" {
			v.add(join(p, "digest"), "a draft has no digest; it is computed when the version is published")
		}
	default:
		if s.PublishedAt.IsZero() {
			v.add(join(p, "published_at"), "a %s version must have its publication time", s.Status)
		} else if !s.PublishedAt.Equal(s.PublishedAt.Truncate(time.Microsecond)) {
			v.add(join(p, "published_at"), "the publication time has more precision than microseconds, which the database cannot keep")
		}
		if s.Digest != "" && !digestPattern.MatchString(s.Digest) {
			v.add(join(p, "digest"), "digest %q is not of the form sha256:<64 hex digits>", s.Digest)
		} else if s.Digest != "" {
			if want := ComputeDigest(s); want != s.Digest {
				v.add(join(p, "digest"), "digest does not match the content (content digest is %s): a published version cannot be edited", want)
			}
		}
	}
	v.text(s.Title, join(p, "title"), true, maxShortText)
	v.text(s.Description, join(p, "description"), false, maxLongText)
	for i, l := range s.Levels {
		lp := fmt.Sprintf("%s.levels[%d]", p, i)
		if l != Tecnico && l != Professional {
			v.add(lp, "level %q is not one of tecnico, professional", l)
		}
		if slices.Index(s.Levels, l) != i {
			v.add(lp, "level %q is listed twice", l)
		}
	}
	for i, l := range s.Scale {
		lp := fmt.Sprintf("%s.observation_scale[%d]", p, i)
		if l.Value != i+1 {
			v.add(join(lp, "value"), "scale values must be 1, 2, 3… in order; expected %d, found %d", i+1, l.Value)
		}
		v.text(l.Label, join(lp, "label"), true, maxShortText)
		v.text(l.Description, join(lp, "description"), false, maxLongText)
	}
	if n := len(s.Scale); n == 1 || n > 10 {
		v.add(join(p, "observation_scale"), "an observation scale has 2 to 10 levels, found %d", n)
	}
	v.microCredential(&s.Defaults, join(p, "microcredential"))

	codes := map[string]int{}
	for i := range s.Competences {
		c := &s.Competences[i]
		cp := fmt.Sprintf("%s.competences[%d]", p, i)
		if v.code(c.Code, join(cp, "code"), "competence code", competenceCodePattern, `"C1"`) {
			if j, dup := codes[c.Code]; dup {
				v.add(join(cp, "code"), "competence %s is also defined at competences[%d]", c.Code, j)
			}
			codes[c.Code] = i
		}
		v.competence(c, cp)
	}
	paths := map[string]int{}
	for i := range s.Paths {
		pa := &s.Paths[i]
		pp := fmt.Sprintf("%s.paths[%d]", p, i)
		if v.code(pa.ID, join(pp, "id"), "path identifier", pathIDPattern, `"progettazione"`) {
			if j, dup := paths[pa.ID]; dup {
				v.add(join(pp, "id"), "path %q is also defined at paths[%d]", pa.ID, j)
			}
			paths[pa.ID] = i
		}
		v.text(pa.Title, join(pp, "title"), true, maxShortText)
		v.text(pa.Description, join(pp, "description"), false, maxLongText)
		inPath := map[string]bool{}
		for j, pc := range pa.Competences {
			cp := fmt.Sprintf("%s.competences[%d]", pp, j)
			if _, ok := codes[pc.Code]; !ok {
				v.add(join(cp, "code"), "competence %q is not defined in this standard's competences", pc.Code)
			}
			if inPath[pc.Code] {
				v.add(join(cp, "code"), "competence %s is listed twice in path %q", pc.Code, pa.ID)
			}
			inPath[pc.Code] = true
			if len(pc.SchoolTypes) == 0 {
				v.add(join(cp, "school_types"), "at least one school type is required")
			}
			for k, t := range pc.SchoolTypes {
				if !slices.Contains(SchoolTypes, t) {
					v.add(fmt.Sprintf("%s.school_types[%d]", cp, k), "school type %q is not one of tecnico, professionale, liceo", t)
				} else if slices.Index(pc.SchoolTypes, t) != k {
					v.add(fmt.Sprintf("%s.school_types[%d]", cp, k), "school type %q is listed twice", t)
				}
			}
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
		if v.code(a.Code, join(ap, "code"), "ADA code", adaCodePattern, `"ADA.10.02.02"`) {
			if adas[a.Code] {
				v.add(join(ap, "code"), "ADA %s is listed twice for competence %s", a.Code, c.Code)
			}
			adas[a.Code] = true
		}
		if a.FormerCode != "" {
			v.code(a.FormerCode, join(ap, "former_code"), "former ADA code", adaCodePattern, `"ADA.7.47.148"`)
		}
		v.text(a.Title, join(ap, "title"), true, maxShortText)
		for j := range a.Results {
			r := &a.Results[j]
			rp := fmt.Sprintf("%s.results[%d]", ap, j)
			if v.code(r.Code, join(rp, "code"), "expected result code", resultCodePattern, `"RA1"`) {
				if results[r.Code] {
					v.add(join(rp, "code"), "expected result %s is listed twice for competence %s", r.Code, c.Code)
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
		v.add(join(p, "eqf_level"), "EQF level must be between 1 and 8, found %d", m.EQFLevel)
	}
	if m.QNQLevel < 0 || m.QNQLevel > 8 {
		v.add(join(p, "qnq_level"), "QNQ level must be between 1 and 8, found %d", m.QNQLevel)
	}
	if m.ISCEDF != "" && !iscedFPattern.MatchString(m.ISCEDF) {
		v.add(join(p, "isced_f"), "ISCED-F field %q must be a four-digit detailed field code such as \"0714\"", m.ISCEDF)
	}
	if m.WorkloadHours < 0 || m.WorkloadHours > 10000 {
		v.add(join(p, "workload_hours"), "workload must be between 0 and 10000 hours, found %d", m.WorkloadHours)
	}
	if m.Credits < 0 || m.Credits > 240 {
		v.add(join(p, "credits"), "credits must be between 0 and 240, found %g", m.Credits)
	}
	v.text(m.Workload, join(p, "workload"), false, maxLongText)
	for i, mode := range m.LearningModes {
		mp := fmt.Sprintf("%s.learning_modes[%d]", p, i)
		if !slices.Contains(LearningModes, mode) {
			v.add(mp, "learning mode %q is not one of work-based, onsite, online, blended", mode)
		} else if slices.Index(m.LearningModes, mode) != i {
			v.add(mp, "learning mode %q is listed twice", mode)
		}
	}
	v.text(m.Assessment, join(p, "assessment"), false, maxLongText)
	v.text(m.QualityAssurance, join(p, "quality_assurance"), false, maxLongText)
	v.text(m.Prerequisites, join(p, "prerequisites"), false, maxLongText)
	for i, e := range m.ESCO {
		ep := fmt.Sprintf("%s.esco[%d]", p, i)
		u, err := url.Parse(e.URI)
		if err != nil || u.Scheme != "http" || u.Host != "data.europa.eu" || !strings.HasPrefix(u.Path, "/esco/") {
			v.add(join(ep, "uri"), "ESCO URI %q must be an ESCO concept URI such as http://data.europa.eu/esco/skill/…", e.URI)
		}
		v.text(e.Title, join(ep, "title"), true, maxShortText)
	}
}
