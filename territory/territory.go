// Package territory holds the Italian regions and their province-level units
// (provinces, metropolitan cities, free municipal consortia of Sicily, the
// regional decentralisation entities of Friuli-Venezia Giulia, the autonomous
// provinces of Trento and Bolzano, and the Aosta Valley) as embedded
// reference data, with their ISTAT codes and automobile abbreviations (sigle).
//
// # Source
//
// The table in data/provinces.csv is taken from ISTAT's list of territorial
// units after the Sardinian reform that replaced Sud Sardegna with the
// metropolitan cities of Cagliari and Sassari and six provinces, which ISTAT
// uses for statistics from 1 January 2026. It was cross-checked against
// other copies of ISTAT's data; data/SOURCE.md says which, their dates and
// licence (ISTAT data are CC BY), what could not be verified, and records the
// file's SHA-256, which the tests check.
//
// Province codes are the three-digit historical province codes ("Codice
// Provincia (Storico)": Torino is 001, not the 201 of its metropolitan city),
// the first three digits of a municipality's ISTAT code. Names are the forms
// ISTAT publishes, bilingual where the region is ("Bolzano/Bozen").
//
// # Use
//
// [ProvinceBySigla] and [CheckSigla] accept the sigla as people type it, in
// any case and with surrounding spaces; [CheckSigla] explains a refusal
// with an [*attesta.Error] whose message people read in their language. [Regions], [Provinces] and
// [ProvincesOf] return fresh slices ordered by code, which callers may modify.
//
// # Updating
//
// When ISTAT changes the units, replace data/provinces.csv from a new ISTAT
// release, update data/SOURCE.md and its SHA-256, and the per-region counts
// in the tests.
package territory

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/attesta/attesta"
)

// Region is one of the twenty Italian regions.
type Region struct {
	Code string // two-digit ISTAT code, "01" Piemonte … "20" Sardegna
	Name string // official name, as ISTAT writes it
}

// Province is a province-level unit: a province, metropolitan city, free
// municipal consortium, regional decentralisation entity, autonomous
// province, or the Aosta Valley.
type Province struct {
	Code   string // three-digit ISTAT (historical) province code, "001" Torino
	Sigla  string // two-letter automobile abbreviation, "TO"
	Name   string // official name, as ISTAT writes it
	Region Region
}

//go:embed data/provinces.csv
var files embed.FS

const dataFile = "data/provinces.csv"

// table is the parsed reference data.
type table struct {
	regions   []Region   // by code
	provinces []Province // by code
	bySigla   map[string]int
	byCode    map[string]int
}

// load parses the embedded file once; a malformed file is a build defect,
// which the tests catch, so it panics.
var load = sync.OnceValue(func() *table {
	b, err := files.ReadFile(dataFile)
	if err != nil {
		panic(fmt.Sprintf("territory: reading embedded %s: %v", dataFile, err))
	}
	t, err := parse(b)
	if err != nil {
		panic(fmt.Sprintf("territory: embedded %s: %v", dataFile, err))
	}
	return t
})

var header = []string{"region_code", "region_name", "province_code", "sigla", "name"}

// parse reads and validates the CSV: the header, then one row per unit in
// ascending province code, with unique codes and sigle, well-formed codes,
// and one name per region.
func parse(b []byte) (*table, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = len(header)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	if !slices.Equal(head, header) {
		return nil, fmt.Errorf("header is %q, want %q", head, header)
	}
	t := &table{bySigla: map[string]int{}, byCode: map[string]int{}}
	regionNames := map[string]string{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading row: %w", err)
		}
		line, _ := r.FieldPos(0)
		p := Province{
			Region: Region{Code: rec[0], Name: rec[1]},
			Code:   rec[2], Sigla: rec[3], Name: rec[4],
		}
		if err := checkRow(p); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		if name, ok := regionNames[p.Region.Code]; ok && name != p.Region.Name {
			return nil, fmt.Errorf("line %d: region %s is named %q, earlier %q", line, p.Region.Code, p.Region.Name, name)
		}
		regionNames[p.Region.Code] = p.Region.Name
		if n := len(t.provinces); n > 0 && t.provinces[n-1].Code >= p.Code {
			return nil, fmt.Errorf("line %d: province code %s does not follow %s", line, p.Code, t.provinces[n-1].Code)
		}
		if _, dup := t.bySigla[p.Sigla]; dup {
			return nil, fmt.Errorf("line %d: duplicate sigla %s", line, p.Sigla)
		}
		t.bySigla[p.Sigla] = len(t.provinces)
		t.byCode[p.Code] = len(t.provinces)
		t.provinces = append(t.provinces, p)
	}
	if len(t.provinces) == 0 {
		return nil, errors.New("no provinces")
	}
	for code, name := range regionNames {
		t.regions = append(t.regions, Region{Code: code, Name: name})
	}
	slices.SortFunc(t.regions, func(a, b Region) int { return strings.Compare(a.Code, b.Code) })
	return t, nil
}

func checkRow(p Province) error {
	switch {
	case !digits(p.Region.Code, 2) || p.Region.Code < "01" || p.Region.Code > "20":
		return fmt.Errorf("region code %q is not 01–20", p.Region.Code)
	case p.Region.Name == "":
		return fmt.Errorf("region %s has no name", p.Region.Code)
	case !digits(p.Code, 3) || p.Code == "000":
		return fmt.Errorf("province code %q is not three digits", p.Code)
	case !upperLetters(p.Sigla, 2):
		return fmt.Errorf("sigla %q is not two capital letters", p.Sigla)
	case p.Name == "" || strings.TrimSpace(p.Name) != p.Name:
		return fmt.Errorf("province %s has name %q", p.Code, p.Name)
	}
	return nil
}

func digits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func upperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// Regions returns the twenty regions, ordered by code.
func Regions() []Region {
	return slices.Clone(load().regions)
}

// Provinces returns every province-level unit, ordered by code.
func Provinces() []Province {
	return slices.Clone(load().provinces)
}

// ProvinceBySigla returns the unit whose automobile abbreviation is sigla,
// ignoring case and surrounding spaces.
func ProvinceBySigla(sigla string) (Province, bool) {
	t := load()
	i, ok := t.bySigla[normalizeSigla(sigla)]
	if !ok {
		return Province{}, false
	}
	return t.provinces[i], true
}

// ProvinceByCode returns the unit whose three-digit ISTAT province code is
// code ("001" Torino), ignoring surrounding spaces.
func ProvinceByCode(code string) (Province, bool) {
	t := load()
	i, ok := t.byCode[strings.TrimSpace(code)]
	if !ok {
		return Province{}, false
	}
	return t.provinces[i], true
}

// ProvincesOf returns the units of the region with the two-digit ISTAT code
// regionCode, ordered by code; none for an unknown region.
func ProvincesOf(regionCode string) []Province {
	regionCode = strings.TrimSpace(regionCode)
	var out []Province
	for _, p := range load().provinces {
		if p.Region.Code == regionCode {
			out = append(out, p)
		}
	}
	return out
}

func normalizeSigla(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// withdrawn are sigle of units that no longer exist and that people may
// still write, with the reason.
var withdrawn = map[string]*attesta.Error{
	"SU": attesta.E(attesta.Invalid, "err.territory.sigla.su"),
}

// CheckSigla reports whether s, ignoring case and surrounding spaces, is the
// automobile abbreviation of a current province-level unit. The error is an
// [*attesta.Error] with code Invalid.
func CheckSigla(s string) error {
	n := normalizeSigla(s)
	if n == "" {
		return attesta.E(attesta.Invalid, "err.territory.sigla.empty")
	}
	if !upperLetters(n, 2) {
		return attesta.E(attesta.Invalid, "err.territory.sigla.form", s)
	}
	if _, ok := load().bySigla[n]; ok {
		return nil
	}
	if e, ok := withdrawn[n]; ok {
		c := *e
		return &c
	}
	return attesta.E(attesta.Invalid, "err.territory.sigla.unknown", n)
}
