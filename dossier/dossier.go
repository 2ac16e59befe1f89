// Package dossier is the evidence dossier ("dossier delle evidenze"), step
// 6 of the certification process: for each candidate, the Chamber compiles
// the hours, the countersigned observation sheet and the school's notes of
// an experience, sees precisely what is missing, returns it to the school
// or the company for revision with a message, and locks it for the
// commission.
//
// # The lock is notarized
//
// Locking makes the dossier's document: its content in a documented JSON
// form ([Document]), whose digest is the SHA-256 of its RFC 8785 canonical
// form — the digest a badge will reference as evidence, without exposing
// the content. The lock is appended to the transparency log in the same
// transaction, as an entry of kind dossier with the SHA-256 of the
// document's id and that digest, and nothing else: no personal data. A
// notarization receipt of that entry then proves, to anyone given the
// document, that this is what the commission saw, and when it was locked;
// `attesta log verify-receipt RECEIPT DOCUMENT` checks it offline.
package dossier

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"

	"github.com/attesta/attesta/artefact"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/notary"
)

// State is where a dossier is.
type State string

// The states.
const (
	Open     State = "open"     // being compiled
	Returned State = "returned" // sent back to the school or the company for revision
	Locked   State = "locked"   // locked for the commission; it no longer changes
)

// States lists them.
var States = []State{Open, Returned, Locked}

// Dossier is a candidate's dossier for one experience.
type Dossier struct {
	ID         string `json:"id"`
	Experience string `json:"experience"`
	Student    string `json:"student"`
	State      State  `json:"state"`
	// Notes are the school's notes for the commission.
	Notes string `json:"notes,omitempty"`
	// Returns are the times it was sent back, oldest first.
	Returns []Return `json:"returns,omitempty"`
	// Artefacts are the files attached to it (drawings, photos,
	// documents, videos), each with the evidence rows it supports.
	Artefacts []Attached `json:"artefacts,omitempty"`
	// Lock is set once locked.
	Lock *Lock `json:"lock,omitempty"`
}

// Attached is an artefact attached to a dossier: the file (its content in
// the blob store under its digest) and the rows of the observation sheet
// it supports, as experience.EvidenceRef strings.
type Attached struct {
	artefact.Artefact
	Rows []string `json:"rows"`
}

// Return is a dossier sent back for revision: to whom, why, by whom.
type Return struct {
	To      string    `json:"to"` // "school" or "company"
	Message string    `json:"message"`
	By      string    `json:"by"`
	Name    string    `json:"name"`
	At      time.Time `json:"at"`
}

// Lock is a dossier's lock: who, when, the document and its digest, and
// the index of its entry in the transparency log.
type Lock struct {
	By       string          `json:"by"`
	Name     string          `json:"name"`
	Role     auth.Role       `json:"role"`
	At       time.Time       `json:"at"`
	Digest   string          `json:"digest"`
	LogIndex int64           `json:"log_index"`
	Document json.RawMessage `json:"document"`
}

// ID is the id of a student's dossier in an experience.
func ID(experienceID, student string) string {
	sum := sha256.Sum256([]byte("dossier\x00" + experienceID + "\x00" + student))
	return "dos-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:10]))
}

// Document is what a locked dossier says, as it is notarized. Its JSON
// names are part of the format: a digest is over them.
type Document struct {
	// ID is urn:attesta:dossier:<dossier id>.
	ID   string `json:"id"`
	Type string `json:"type"` // "EvidenceDossier"
	// Experience, and the standard and design revision it rests on.
	Experience string `json:"experience"`
	School     string `json:"school"`
	Company    string `json:"company"`
	Sector     string `json:"sector"`
	Version    int    `json:"version"`
	Path       string `json:"path"`
	Revision   int    `json:"revision"`
	Design     string `json:"designDigest"`
	// Learner is the student's person id on this attesta.
	Learner string `json:"learner"`
	Hours   Hours  `json:"hours"`
	Sheet   Sheet  `json:"observationSheet"`
	Notes   string `json:"notes"`
	// Artefacts are the files, by digest, with the rows they support.
	Artefacts []ArtefactLine `json:"artefacts"`
	// Tests are the candidate's results at the online tests on the
	// standard's version, as released to them.
	Tests []TestLine `json:"tests,omitempty"`
	// LockedAt and LockedBy say when and by whom it was locked.
	LockedAt string `json:"lockedAt"`
	LockedBy string `json:"lockedBy"`
}

// Hours are the hours part of the document.
type Hours struct {
	Planned int        `json:"planned"`
	Minutes int        `json:"minutes"`
	Records []HourLine `json:"records"`
}

// HourLine is a record of hours in the document (corrections applied).
type HourLine struct {
	Day      string `json:"day"`
	Weekly   bool   `json:"weekly"`
	Minutes  int    `json:"minutes"`
	Activity string `json:"activity"`
}

// Sheet is the observation sheet part of the document: its countersigned
// version.
type Sheet struct {
	ID            string    `json:"id"`
	Version       int       `json:"version"`
	Rows          []RowLine `json:"rows"`
	SubmittedBy   string    `json:"submittedBy"`
	SubmittedAt   string    `json:"submittedAt"`
	Countersigned string    `json:"countersignedBy"`
	CountersignAt string    `json:"countersignedAt"`
}

// RowLine is one row of the sheet in the document.
type RowLine struct {
	Row         string `json:"row"`
	Level       int    `json:"level"`
	NotObserved bool   `json:"notObserved"`
	From        string `json:"from"`
	To          string `json:"to"`
	Note        string `json:"note"`
}

// TestLine is a result of the online test in the document: the test, the
// attempt, when it ended, and the score of each competence against its
// threshold.
type TestLine struct {
	Test        string           `json:"test"`
	Title       string           `json:"title"`
	Attempt     string           `json:"attempt"`
	Number      int              `json:"number"`
	Ended       string           `json:"ended"`
	Score       float64          `json:"score"`
	Max         float64          `json:"max"`
	Competences []TestCompetence `json:"competences"`
}

// TestCompetence is a competence's result in a TestLine.
type TestCompetence struct {
	Competence string  `json:"competence"`
	Score      float64 `json:"score"`
	Max        float64 `json:"max"`
	Percent    float64 `json:"percent"`
	Threshold  int     `json:"threshold"`
	Passed     bool    `json:"passed"`
	// Dimensions are its parts by dimension (knowledge, skill, soft
	// skill), those the test drew for it.
	Dimensions []TestDimension `json:"dimensions,omitempty"`
}

// TestDimension is a dimension's part of a competence's result.
type TestDimension struct {
	Dimension string  `json:"dimension"`
	Score     float64 `json:"score"`
	Max       float64 `json:"max"`
	Percent   float64 `json:"percent"`
}

// ArtefactLine is a file in the document: what it is and its digest, not
// its content.
type ArtefactLine struct {
	SHA256 string   `json:"sha256"`
	Kind   string   `json:"kind"`
	Format string   `json:"format"`
	Size   int64    `json:"size"`
	Name   string   `json:"name"`
	Rows   []string `json:"rows"`
}

// Marshal encodes d as JSON.
func (d *Document) Marshal() []byte {
	data, _ := json.Marshal(d)
	return data
}

// Digest is the digest of a dossier's document: "sha256:" and the hex
// SHA-256 of its RFC 8785 canonical form, the one its log entry holds.
func Digest(document []byte) string {
	sum := notary.CredentialDigest(document)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Entry is the log entry of a document locked at at.
func Entry(d *Document, document []byte, at time.Time) notary.Entry {
	return notary.NewEntry(notary.Dossier, d.ID, document, at)
}
