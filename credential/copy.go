package credential

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/attesta/attesta"
)

// Copies bound to a wallet.
//
// A learner takes a badge into their wallet (package wallet, OpenID4VCI) as
// a copy bound to the wallet's DID: the same credential — issuer, name,
// achievement, results, evidence, commission decision, dates — with its own
// id, credentialSubject.id the holder's DID instead of the salted hash of
// the learner's identifier, and its own status entries, signed now by the
// issuer's current key with eddsa-rdfc-2022. It is issued as every
// credential is (validated, a status position allocated, built, signed,
// stored with its log and audit entries) and recorded with CopyOf, the
// badge it copies, whose fate it shares: a status change of the badge
// changes its copies in the same transaction (Store.ChangeStatus), and a
// copy's status never changes alone.

// PrepareCopy builds and signs a copy of credential id bound to the
// holder's DID (a did:key or did:jwk identifier) and stores nothing: the
// caller stores it (InsertCredential, as a commission stores its badges)
// with what it keeps beside it, in one transaction, where it also checks
// that the credential is still valid. A revoked, suspended or expired
// credential, or a copy, is not copied.
func (s *Service) PrepareCopy(ctx context.Context, actor Actor, id, holder string) (Prepared, error) {
	orig, err := s.Record(ctx, actor, id)
	if err != nil {
		return Prepared{}, err
	}
	if err := s.open(ctx); err != nil {
		return Prepared{}, err
	}
	now := s.clock().Truncate(time.Second)
	switch {
	case orig.CopyOf != "":
		return Prepared{}, attesta.E(attesta.Invalid, "err.credential.copy.copy", id)
	case orig.Revoked || orig.Suspended || (!orig.ValidUntil.IsZero() && !orig.ValidUntil.After(now)):
		return Prepared{}, attesta.E(attesta.Conflict, "err.credential.copy.invalid", id)
	}
	var fe attesta.FieldErrors
	Learner{DID: holder}.check(&fe)
	checkText(&fe, "holder", holder, MaxIRI, noSpaces)
	if len(fe) > 0 {
		return Prepared{}, fe.Err()
	}
	doc, err := unsignedBody(orig)
	if err != nil {
		return Prepared{}, fmt.Errorf("copy of %s: %w", id, err)
	}
	copyID := s.uuidURN()
	build := func(pos Position) ([]byte, error) {
		return boundCopy(doc, copyID, holder, statusEntriesAt(s.baseURL, orig.IssuerID, pos))
	}
	// The copy must be a valid Open Badge, as its original was.
	unsigned, err := build(Position{List: 1})
	if err != nil {
		return Prepared{}, fmt.Errorf("copy of %s: %w", id, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(unsigned, &obj); err != nil {
		return Prepared{}, fmt.Errorf("copy of %s: %w", id, err)
	}
	if problems := StructureProblems(obj); len(problems) > 0 {
		return Prepared{}, fmt.Errorf("copy of %s is not a valid Open Badge: %v", id, problems)
	}
	rec, err := s.signed(ctx, RDFC, build, Record{ID: copyID, IssuerID: orig.IssuerID, Achievement: orig.Achievement,
		IssuedAt: now, ValidUntil: orig.ValidUntil, CopyOf: orig.ID})
	if err != nil {
		return Prepared{}, err
	}
	return prepared(actor, rec)
}

// JWTForm returns a credential's form as a JWT (VC-JOSE-COSE): the same
// credential — its subject too, the learner's salted hash — with its own
// id and status entries, signed by the issuer's current key as a compact
// JWS; made the first time it is asked for, then the same each time. It is
// a copy (CopyOf), issued and logged as every credential is, whose status
// follows its original's, as a wallet's copies do. A credential issued as
// a JWT is its own form.
func (s *Service) JWTForm(ctx context.Context, actor Actor, id string) (Record, error) {
	orig, err := s.Record(ctx, actor, id)
	if err != nil {
		return Record{}, err
	}
	if orig.Format == JWT {
		return orig, nil
	}
	if orig.CopyOf != "" {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.copy.copy", id)
	}
	copies, err := s.store.Copies(ctx, id)
	if err != nil {
		return Record{}, err
	}
	for _, c := range copies {
		if c.Format == JWT && !bound(c) {
			return c, nil
		}
	}
	if err := s.open(ctx); err != nil {
		return Record{}, err
	}
	now := s.clock().Truncate(time.Second)
	if orig.Revoked || orig.Suspended || (!orig.ValidUntil.IsZero() && !orig.ValidUntil.After(now)) {
		return Record{}, attesta.E(attesta.Conflict, "err.credential.copy.invalid", id)
	}
	doc, err := unsignedBody(orig)
	if err != nil {
		return Record{}, fmt.Errorf("JWT form of %s: %w", id, err)
	}
	formID := s.uuidURN()
	build := func(pos Position) ([]byte, error) {
		return boundCopy(doc, formID, "", statusEntriesAt(s.baseURL, orig.IssuerID, pos))
	}
	rec, err := s.signed(ctx, JWT, build, Record{ID: formID, IssuerID: orig.IssuerID, Achievement: orig.Achievement,
		IssuedAt: now, ValidUntil: orig.ValidUntil, CopyOf: orig.ID})
	if err != nil {
		return Record{}, err
	}
	return s.insert(ctx, actor, rec)
}

// bound reports whether a copy is bound to a holder: its subject has an
// id (a wallet's DID).
func bound(r Record) bool {
	body, err := unsignedBody(r)
	if err != nil {
		return true
	}
	var c struct {
		Subject struct {
			ID string `json:"id"`
		} `json:"credentialSubject"`
	}
	return json.Unmarshal(body, &c) != nil || c.Subject.ID != ""
}

// unsignedBody returns a credential as issued without its proof: the JSON
// of a Data Integrity credential, or the payload of a JWT.
func unsignedBody(r Record) ([]byte, error) {
	body := r.Body
	if r.Format == JWT {
		_, payload, _, _, err := splitJWT(string(body))
		if err != nil {
			return nil, err
		}
		body = payload
	}
	ms, err := orderedMembers(body)
	if err != nil {
		return nil, err
	}
	return encodeMembers(ms.without("proof")), nil
}

// boundCopy is doc (an unsigned credential) with another id, the subject
// bound to holder — its id the holder's DID, without the learner's hashed
// identifier — and the status entries given; every other member is kept
// as it was, in its place.
func boundCopy(doc []byte, id, holder string, status []statusEntry) ([]byte, error) {
	ms, err := orderedMembers(doc)
	if err != nil {
		return nil, err
	}
	subjectRaw, ok := ms.get("credentialSubject")
	if !ok {
		return nil, fmt.Errorf("the credential has no credentialSubject")
	}
	subject, err := orderedMembers(subjectRaw)
	if err != nil {
		return nil, fmt.Errorf("credentialSubject: %w", err)
	}
	if holder != "" {
		// Bound: the holder's DID instead of the learner's hashed
		// identifier; a JWT form ("") keeps the subject as it is.
		holderJSON, _ := json.Marshal(holder)
		subject = append(members{{"id", holderJSON}}, subject.without("id").without("identifier")...)
	}
	idJSON, _ := json.Marshal(id)
	statusJSON, err := json.Marshal(status)
	if err != nil {
		return nil, err
	}
	ms = ms.with("id", idJSON).with("credentialSubject", encodeMembers(subject)).with("credentialStatus", statusJSON)
	var out bytes.Buffer
	if err := json.Indent(&out, encodeMembers(ms), "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// members are a JSON object's members in their order.
type members []member

type member struct {
	key   string
	value json.RawMessage
}

// orderedMembers reads a JSON object's members in their order.
func orderedMembers(data []byte) (members, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not a JSON object")
	}
	var out members
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		if _, dup := out.get(key); dup {
			return nil, fmt.Errorf("%s is given twice", key)
		}
		out = append(out, member{key, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	return out, nil
}

func (ms members) get(key string) (json.RawMessage, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.value, true
		}
	}
	return nil, false
}

// with sets key to v, in its place, or at the end.
func (ms members) with(key string, v json.RawMessage) members {
	out := append(members(nil), ms...)
	for i := range out {
		if out[i].key == key {
			out[i].value = v
			return out
		}
	}
	return append(out, member{key, v})
}

func (ms members) without(key string) members {
	var out members
	for _, m := range ms {
		if m.key != key {
			out = append(out, m)
		}
	}
	return out
}

// encodeMembers writes the members as a compact JSON object.
func encodeMembers(ms members) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		var compact bytes.Buffer
		if json.Compact(&compact, m.value) == nil {
			b.Write(compact.Bytes())
		} else {
			b.Write(m.value)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}
