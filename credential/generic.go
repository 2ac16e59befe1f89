package credential

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/internal/vc/dataintegrity"
	"github.com/attesta/attesta/internal/vc/statuslist"
)

// IssueDocument signs a credential a client composed: the VC-API issue
// operation. It issues any Verifiable Credential of the VC Data Model 2.0
// whose contexts attesta knows, in strict JSON-LD (safe mode), with the
// deployment's issuer of generic credentials (ServiceOptions.GenericIssuer),
// which the credential must name as its issuer. attesta gives it an id if it
// has none and sets validFrom if absent, adds its two status entries after
// the caller's own (its credentialStatus is kept), signs it, and records it
// in the transparency log like every credential it issues.
//
// Everything that can be refused is refused before a status position is
// taken: a proof, VC 1.1 input, a credential that is not of the data model
// (termsOfUse or refreshService without a type, a related resource whose
// digest does not match…), undefined terms. A Chamber's badges come from its
// competence workflow (Issue), not from here, unless the deployment names a
// Chamber as its generic issuer.
func (s *Service) IssueDocument(ctx context.Context, actor Actor, doc []byte, format Format) (Record, error) {
	if err := s.open(ctx); err != nil {
		return Record{}, err
	}
	if format == "" {
		format = RDFC
	}
	if !format.Valid() {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.format", format, RDFC, JCS, JWT)
	}
	if s.generic == "" {
		return Record{}, attesta.E(attesta.Forbidden, "err.credential.generic.off")
	}
	obj, err := dataintegrity.DecodeObject(doc)
	if err != nil {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.invalid", err)
	}
	if _, ok := obj["proof"]; ok {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.absent", "proof")
	}
	if IsVC1(obj) {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.vc1", ContextVC1, ContextVC)
	}
	iss, err := s.issuers.Issuer(ctx, s.generic)
	if err != nil {
		return Record{}, fmt.Errorf("issue: the generic issuer: %w", err)
	}
	if err := actor.authorize(iss.ID); err != nil {
		return Record{}, err
	}
	if named := issuerOf(obj); obj["issuer"] != nil && named != "" && named != iss.DID {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.issuer", named, iss.DID)
	}
	now := s.clock().Truncate(time.Second)
	if _, ok := obj["validFrom"]; !ok {
		obj["validFrom"] = now.Format(time.RFC3339)
	}
	if _, ok := obj["id"]; !ok {
		obj["id"] = s.uuidURN()
	}
	if problems := ModelProblems(obj); len(problems) > 0 {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.invalid", problemList(problems))
	}
	id, _ := obj["id"].(string)
	// The JSON-LD in safe mode, before a status position is taken: with the
	// entries attesta adds (which the base context defines), it stays so.
	if unsigned, err := marshal(obj); err != nil {
		return Record{}, err
	} else if _, err := s.suite.CanonicalDocument(unsigned, dataintegrity.EdDSARDFC2022); err != nil {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.invalid", err)
	}
	signer, err := s.issuers.Signer(ctx, iss.ID)
	if err != nil {
		return Record{}, fmt.Errorf("issue: %w", err)
	}
	pos, err := s.allocate(ctx, iss.ID)
	if err != nil {
		return Record{}, err
	}
	obj["credentialStatus"] = append(asList(obj["credentialStatus"]), s.statusEntries(iss.ID, pos)...)
	unsigned, err := marshal(obj)
	if err != nil {
		return Record{}, err
	}
	body, err := s.secure(unsigned, signer, format, now)
	if err != nil {
		return Record{}, attesta.E(attesta.Invalid, "err.credential.doc.invalid", err)
	}
	rec := Record{
		ID: id, IssuerID: iss.ID, List: pos.List, Index: pos.Index, Format: format, Body: body,
		Achievement: genericAchievement(obj), IssuedAt: now,
	}
	if until, err := parseDate(obj, "validUntil"); err == nil {
		rec.ValidUntil = until
	}
	return s.insert(ctx, actor, rec)
}

// statusEntries are the revocation and suspension entries of a position.
func (s *Service) statusEntries(issuerID string, pos Position) []any {
	var entries []any
	for _, purpose := range []statuslist.Purpose{statuslist.Revocation, statuslist.Suspension} {
		list := StatusListURL(s.baseURL, issuerID, pos.List, purpose)
		entries = append(entries, map[string]any{
			"id": list + "#" + strconv.Itoa(pos.Index), "type": "BitstringStatusListEntry", "statusPurpose": string(purpose),
			"statusListIndex": strconv.Itoa(pos.Index), "statusListCredential": list,
		})
	}
	return entries
}

// genericAchievement is what a generic credential's record says it
// certifies: the achievement of an Open Badge, else its types.
func genericAchievement(obj map[string]any) string {
	for _, subj := range asList(obj["credentialSubject"]) {
		if subj, ok := subj.(map[string]any); ok {
			if a, ok := subj["achievement"].(map[string]any); ok {
				if id, ok := a["id"].(string); ok {
					return id
				}
			}
		}
	}
	var types []string
	for _, t := range asList(obj["type"]) {
		if t, ok := t.(string); ok {
			types = append(types, t)
		}
	}
	return short(strings.Join(types, " "))
}

func problemList(problems []Problem) string {
	d := make([]string, len(problems))
	for i, p := range problems {
		d[i] = p.String()
	}
	return strings.Join(d, "; ")
}
