package credential

import (
	"fmt"
	"time"
)

// ContextVC1 is the context of the Verifiable Credentials Data Model 1.1,
// which attesta reads in old Open Badges but never issues.
const ContextVC1 = "https://www.w3.org/2018/credentials/v1"

// IsVC1 reports whether doc is a VC Data Model 1.1 document: its first
// context is the 1.1 one.
func IsVC1(doc map[string]any) bool {
	switch c := doc["@context"].(type) {
	case string:
		return c == ContextVC1
	case []any:
		return len(c) > 0 && c[0] == ContextVC1
	}
	return false
}

// ModelProblems checks a credential against the Verifiable Credentials Data
// Model 2.0 ([VC-DATA-MODEL-2.0] §4): the members every credential has and
// the shape of the optional ones, whatever else it says. What JSON-LD decides
// — that every term and type is defined, that every IRI is absolute, that a
// protected term is not redefined — is the strict JSON-LD processor's check,
// which follows this one; the digests of related resources are
// RelatedResourceProblems'.
//
// A credential of the VC Data Model 1.1 is checked against 1.1's required
// members instead (issuanceDate rather than validFrom): attesta verifies
// them, though it issues only 2.0 ones.
//
// [VC-DATA-MODEL-2.0]: https://www.w3.org/TR/vc-data-model-2.0/
func ModelProblems(doc map[string]any) []Problem {
	s := &structure{}
	v1 := IsVC1(doc)
	if v1 {
		if _, ok := doc["@context"].([]any); !ok {
			s.add("@context", "must be an array")
		}
		if v, ok := doc["issuanceDate"]; ok {
			s.dateTime("issuanceDate", v)
		} else {
			s.add("issuanceDate", "is required")
		}
		if v, ok := doc["expirationDate"]; ok {
			s.dateTime("expirationDate", v)
		}
	} else {
		s.vcContext(doc["@context"])
	}
	if types := s.types("type", doc["type"]); doc["type"] != nil && !types["VerifiableCredential"] {
		s.add("type", "must include VerifiableCredential")
	}
	if id, ok := doc["id"]; ok {
		s.iri("id", id)
	}
	switch iss := doc["issuer"].(type) {
	case string:
		s.iri("issuer", iss)
	case map[string]any:
		s.iri("issuer.id", iss["id"])
		s.languageString("issuer.name", iss, "name")
		s.languageString("issuer.description", iss, "description")
	case nil:
		s.add("issuer", "is required")
	default:
		s.add("issuer", "must be a URL or an object with an id")
	}
	s.languageString("name", doc, "name")
	s.languageString("description", doc, "description")
	s.claims(doc["credentialSubject"])
	var from, until time.Time
	if v, ok := doc["validFrom"]; ok {
		from = s.dateTime("validFrom", v)
	}
	if v, ok := doc["validUntil"]; ok {
		until = s.dateTime("validUntil", v)
	}
	if !from.IsZero() && !until.IsZero() && until.Before(from) {
		s.add("validUntil", "is before validFrom")
	}
	// Every object of these members says its type (§4.5).
	for _, k := range []string{"credentialStatus", "termsOfUse", "refreshService", "evidence", "credentialSchema"} {
		s.each(k, doc[k], func(path string, v map[string]any) {
			if v["type"] == nil {
				s.add(path+".type", "is required")
			} else {
				s.types(path+".type", v["type"])
			}
			if id, ok := v["id"]; ok || k == "credentialSchema" {
				s.iri(path+".id", id)
			}
		})
	}
	s.relatedResources(doc["relatedResource"])
	return s.problems
}

// vcContext checks a VC 2.0 @context: the base context first, then URLs
// or context objects.
func (s *structure) vcContext(v any) {
	var list []any
	switch c := v.(type) {
	case string:
		list = []any{c}
	case []any:
		list = c
	case nil:
		s.add("@context", "is required")
		return
	default:
		s.add("@context", "must be an array of URLs and objects")
		return
	}
	if len(list) == 0 || list[0] != ContextVC {
		if len(list) > 0 && list[0] == ContextVC1 {
			s.add("@context", "is of the VC Data Model 1.1: only VC 2.0 ("+ContextVC+") is accepted")
			return
		}
		s.add("@context", "must begin with "+ContextVC)
		return
	}
	for i, c := range list[1:] {
		switch c := c.(type) {
		case string:
			s.iri(fmt.Sprintf("@context[%d]", i+1), c)
		case map[string]any:
		default:
			s.add(fmt.Sprintf("@context[%d]", i+1), "must be a URL or a context object")
		}
	}
}

// claims checks credentialSubject: one or more objects, each with a claim.
func (s *structure) claims(v any) {
	list, isList := v.([]any)
	switch {
	case v == nil:
		s.add("credentialSubject", "is required")
		return
	case isList && len(list) == 0:
		s.add("credentialSubject", "must make claims about at least one subject")
		return
	}
	s.each("credentialSubject", v, func(path string, subj map[string]any) {
		if len(subj) == 0 {
			s.add(path, "makes no claim")
		}
		if id, ok := subj["id"]; ok {
			s.iri(path+".id", id)
		}
	})
}

// languageString checks a name or description: a string, or one or more
// language value objects (§11.1) with nothing but @value, @language and
// @direction.
func (s *structure) languageString(path string, obj map[string]any, key string) {
	v, ok := obj[key]
	if !ok {
		return
	}
	check := func(path string, x any) {
		switch x := x.(type) {
		case string:
		case map[string]any:
			if _, ok := x["@value"].(string); !ok {
				s.add(path, "a language value object needs a string @value")
			}
			for k := range x {
				if k != "@value" && k != "@language" && k != "@direction" {
					s.add(path, fmt.Sprintf("a language value object has only @value, @language and @direction, not %q", k))
				}
			}
		default:
			s.add(path, "must be a string or a language value object")
		}
	}
	if list, ok := v.([]any); ok {
		for i, x := range list {
			check(fmt.Sprintf("%s[%d]", path, i), x)
		}
		return
	}
	check(path, v)
}
