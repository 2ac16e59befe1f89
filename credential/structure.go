package credential

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Problem is a structural fault of a credential: where and what.
type Problem struct {
	Path    string // JSON path, e.g. "credentialSubject.achievement.type"
	Message string // English
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// StructureProblems checks an Open Badges 3.0 credential (an OpenBadgeCredential,
// AchievementCredential or EndorsementCredential) against the required
// members and types of the Open Badges 3.0 data model and VC 2.0. It does not
// check signatures or dates against the clock.
func StructureProblems(doc map[string]any) []Problem {
	s := &structure{}
	s.context(doc["@context"])
	types := s.types("type", doc["type"])
	if !types["VerifiableCredential"] {
		s.add("type", "must include VerifiableCredential")
	}
	endorsement := types["EndorsementCredential"]
	if !types["OpenBadgeCredential"] && !types["AchievementCredential"] && !endorsement {
		s.add("type", "must include OpenBadgeCredential (or AchievementCredential, EndorsementCredential)")
	}
	if id, ok := doc["id"]; ok {
		s.iri("id", id)
	}
	s.issuer(doc["issuer"])
	if _, v2 := doc["validFrom"]; v2 {
		s.dateTime("validFrom", doc["validFrom"])
	} else if _, v1 := doc["issuanceDate"]; v1 {
		s.dateTime("issuanceDate", doc["issuanceDate"])
	} else {
		s.add("validFrom", "is required")
	}
	for _, k := range []string{"validUntil", "expirationDate", "awardedDate"} {
		if v, ok := doc[k]; ok {
			s.dateTime(k, v)
		}
	}
	if str, ok := doc["name"]; ok {
		s.str("name", str)
	} else if !endorsement {
		s.add("name", "is required")
	}
	s.subject(doc["credentialSubject"], endorsement)
	s.each("evidence", doc["evidence"], func(path string, v map[string]any) {
		s.hasType(path, v, "Evidence")
	})
	s.each("credentialSchema", doc["credentialSchema"], func(path string, v map[string]any) {
		s.iri(path+".id", v["id"])
		s.str(path+".type", v["type"])
	})
	s.each("credentialStatus", doc["credentialStatus"], func(path string, v map[string]any) {
		if t, _ := v["type"].(string); t != "BitstringStatusListEntry" {
			return // the status check says whether it can be checked
		}
		s.iri(path+".statusListCredential", v["statusListCredential"])
		if p, _ := v["statusPurpose"].(string); p == "" {
			s.add(path+".statusPurpose", "is required")
		}
		switch i := v["statusListIndex"].(type) {
		case string:
			if i == "" || strings.TrimLeft(i, "0123456789") != "" {
				s.add(path+".statusListIndex", "must be a non-negative integer")
			}
		case json.Number:
			if n, err := i.Int64(); err != nil || n < 0 {
				s.add(path+".statusListIndex", "must be a non-negative integer")
			}
		default:
			s.add(path+".statusListIndex", "must be a non-negative integer")
		}
	})
	return s.problems
}

type structure struct{ problems []Problem }

func (s *structure) add(path, msg string) { s.problems = append(s.problems, Problem{path, msg}) }

func (s *structure) context(v any) {
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		s.add("@context", "must be an array beginning with the VC context")
		return
	}
	first, _ := list[0].(string)
	if first != ContextVC && first != "https://www.w3.org/2018/credentials/v1" {
		s.add("@context", fmt.Sprintf("must begin with %s, begins with %v", ContextVC, list[0]))
	}
	ob := false
	for _, c := range list {
		if u, _ := c.(string); strings.HasPrefix(u, "https://purl.imsglobal.org/spec/ob/v3p0/context") {
			ob = true
		}
	}
	if !ob {
		s.add("@context", "must include an Open Badges 3.0 context")
	}
}

// types returns the set of values of a "type" member (a string or an array
// of strings).
func (s *structure) types(path string, v any) map[string]bool {
	out := map[string]bool{}
	switch t := v.(type) {
	case string:
		out[t] = true
	case []any:
		for _, x := range t {
			if str, ok := x.(string); ok {
				out[str] = true
			} else {
				s.add(path, "values must be strings")
			}
		}
	case nil:
		s.add(path, "is required")
	default:
		s.add(path, "must be a string or an array of strings")
	}
	return out
}

func (s *structure) hasType(path string, obj map[string]any, want string) {
	if types := s.types(path+".type", obj["type"]); obj["type"] != nil && !types[want] {
		s.add(path+".type", fmt.Sprintf("must include %s, has %v", want, obj["type"]))
	}
}

func (s *structure) str(path string, v any) string {
	str, ok := v.(string)
	if !ok || strings.TrimSpace(str) == "" {
		s.add(path, "must be a non-empty string")
	}
	return str
}

func (s *structure) iri(path string, v any) {
	str, ok := v.(string)
	if !ok || str == "" {
		s.add(path, "must be an IRI")
		return
	}
	if err := checkIRI(str); err != nil {
		s.add(path, err.Error())
	}
}

func (s *structure) dateTime(path string, v any) time.Time {
	str, _ := v.(string)
	t, err := time.Parse(time.RFC3339Nano, str)
	if err != nil {
		s.add(path, fmt.Sprintf("%v is not a date-time with a time zone", v))
	}
	return t
}

// object returns v as an object, reporting it if it is not one.
func (s *structure) object(path string, v any) map[string]any {
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			s.add(path, "is required")
		} else {
			s.add(path, "must be an object")
		}
	}
	return obj
}

// each calls fn for v or every element of v, which must be objects.
func (s *structure) each(path string, v any, fn func(string, map[string]any)) {
	switch t := v.(type) {
	case nil:
	case []any:
		for i, x := range t {
			p := fmt.Sprintf("%s[%d]", path, i)
			if obj := s.object(p, x); obj != nil {
				fn(p, obj)
			}
		}
	default:
		if obj := s.object(path, v); obj != nil {
			fn(path, obj)
		}
	}
}

func (s *structure) profile(path string, p map[string]any) {
	s.iri(path+".id", p["id"])
	s.hasType(path, p, "Profile")
	s.each(path+".otherIdentifier", p["otherIdentifier"], func(path string, v map[string]any) {
		s.hasType(path, v, "IdentifierEntry")
	})
	if po, ok := p["parentOrg"]; ok {
		if obj := s.object(path+".parentOrg", po); obj != nil {
			s.hasType(path+".parentOrg", obj, "Profile")
		}
	}
}

func (s *structure) issuer(v any) {
	switch t := v.(type) {
	case string:
		s.iri("issuer", t)
	case map[string]any:
		s.profile("issuer", t)
	case nil:
		s.add("issuer", "is required")
	default:
		s.add("issuer", "must be an IRI or a Profile")
	}
}

func (s *structure) subject(v any, endorsement bool) {
	subj := s.object("credentialSubject", v)
	if subj == nil {
		return
	}
	const path = "credentialSubject"
	if endorsement {
		s.hasType(path, subj, "EndorsementSubject")
		s.iri(path+".id", subj["id"])
		return
	}
	s.hasType(path, subj, "AchievementSubject")
	if id, ok := subj["id"]; ok {
		s.iri(path+".id", id)
	}
	s.each(path+".identifier", subj["identifier"], func(path string, v map[string]any) {
		s.hasType(path, v, "IdentityObject")
		s.str(path+".identityHash", v["identityHash"])
	})
	if _, ok := subj["id"]; !ok && subj["identifier"] == nil {
		s.add(path, "needs an id or an identifier")
	}
	if src, ok := subj["source"]; ok {
		if obj := s.object(path+".source", src); obj != nil {
			s.profile(path+".source", obj)
		}
	}
	ach := s.object(path+".achievement", subj["achievement"])
	if ach != nil {
		p := path + ".achievement"
		s.iri(p+".id", ach["id"])
		s.hasType(p, ach, "Achievement")
		s.str(p+".name", ach["name"])
		s.str(p+".description", ach["description"])
		if c := s.object(p+".criteria", ach["criteria"]); c != nil && c["id"] == nil && c["narrative"] == nil {
			s.add(p+".criteria", "needs an id or a narrative")
		}
		s.each(p+".resultDescription", ach["resultDescription"], func(path string, v map[string]any) {
			s.iri(path+".id", v["id"])
			s.hasType(path, v, "ResultDescription")
			s.str(path+".name", v["name"])
			s.str(path+".resultType", v["resultType"])
		})
		s.each(p+".alignment", ach["alignment"], func(path string, v map[string]any) {
			s.hasType(path, v, "Alignment")
		})
	}
	s.each(path+".result", subj["result"], func(path string, v map[string]any) {
		s.hasType(path, v, "Result")
	})
}

// checkIRI is a light check of an absolute IRI: a scheme, no spaces or
// characters IRIs exclude. The JSON-LD processor checks every IRI fully.
func checkIRI(s string) error {
	colon := strings.IndexByte(s, ':')
	if colon < 1 {
		return fmt.Errorf("%q is not an absolute IRI (no scheme)", short(s))
	}
	for i := 0; i < colon; i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return fmt.Errorf("%q is not an absolute IRI (invalid scheme)", short(s))
		}
	}
	if i := strings.IndexAny(s, " <>\"{}|\\^`\t\r\n"); i >= 0 {
		return fmt.Errorf("%q is not an IRI: it contains %q", short(s), s[i])
	}
	return nil
}

func short(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
