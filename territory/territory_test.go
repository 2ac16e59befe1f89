package territory

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/attesta/attesta"
)

func TestEmbeddedFileIsWellFormed(t *testing.T) {
	b, err := files.ReadFile(dataFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parse(b); err != nil {
		t.Fatalf("embedded %s: %v", dataFile, err)
	}
}

func TestSourceChecksum(t *testing.T) {
	md, err := os.ReadFile("data/SOURCE.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("provinces\\.csv SHA-256: `([0-9a-f]{64})`").FindSubmatch(md)
	if m == nil {
		t.Fatal("data/SOURCE.md records no SHA-256 of provinces.csv")
	}
	b, err := files.ReadFile(dataFile)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != string(m[1]) {
		t.Errorf("SHA-256 of %s is %s, SOURCE.md says %s", dataFile, got, m[1])
	}
}

// TestCountsByRegion asserts the number of province-level units per region
// that ISTAT lists after the Sardinian reform (see data/SOURCE.md).
func TestCountsByRegion(t *testing.T) {
	want := []struct {
		code, name string
		units      int
	}{
		{"01", "Piemonte", 8},
		{"02", "Valle d'Aosta/Vallée d'Aoste", 1},
		{"03", "Lombardia", 12},
		{"04", "Trentino-Alto Adige/Südtirol", 2},
		{"05", "Veneto", 7},
		{"06", "Friuli-Venezia Giulia", 4},
		{"07", "Liguria", 4},
		{"08", "Emilia-Romagna", 9},
		{"09", "Toscana", 10},
		{"10", "Umbria", 2},
		{"11", "Marche", 5},
		{"12", "Lazio", 5},
		{"13", "Abruzzo", 4},
		{"14", "Molise", 2},
		{"15", "Campania", 5},
		{"16", "Puglia", 6},
		{"17", "Basilicata", 2},
		{"18", "Calabria", 5},
		{"19", "Sicilia", 9},
		{"20", "Sardegna", 8},
	}
	regions := Regions()
	if len(regions) != 20 {
		t.Fatalf("%d regions, want 20", len(regions))
	}
	total := 0
	for i, w := range want {
		if regions[i] != (Region{Code: w.code, Name: w.name}) {
			t.Errorf("region %d is %+v, want %s %s", i, regions[i], w.code, w.name)
		}
		ps := ProvincesOf(w.code)
		if len(ps) != w.units {
			t.Errorf("%s %s has %d units, want %d", w.code, w.name, len(ps), w.units)
		}
		for _, p := range ps {
			if p.Region != regions[i] {
				t.Errorf("%s %s: region %+v, want %+v", p.Code, p.Name, p.Region, regions[i])
			}
		}
		total += w.units
	}
	if n := len(Provinces()); n != total || n != 110 {
		t.Errorf("%d units, want %d (110)", n, total)
	}
}

func TestProvincesAreUniqueAndOrdered(t *testing.T) {
	codes, siglas := map[string]bool{}, map[string]bool{}
	ps := Provinces()
	for i, p := range ps {
		if codes[p.Code] {
			t.Errorf("duplicate code %s", p.Code)
		}
		if siglas[p.Sigla] {
			t.Errorf("duplicate sigla %s", p.Sigla)
		}
		codes[p.Code], siglas[p.Sigla] = true, true
		if !upperLetters(p.Sigla, 2) {
			t.Errorf("%s: sigla %q is not two capital letters", p.Code, p.Sigla)
		}
		if !digits(p.Code, 3) {
			t.Errorf("code %q is not three digits", p.Code)
		}
		if i > 0 && ps[i-1].Code >= p.Code {
			t.Errorf("%s follows %s", p.Code, ps[i-1].Code)
		}
	}
	for _, r := range Regions() {
		if len(ProvincesOf(r.Code)) == 0 {
			t.Errorf("region %s %s has no units", r.Code, r.Name)
		}
	}
}

func TestKnownProvinces(t *testing.T) {
	for _, want := range []Province{
		{Code: "001", Sigla: "TO", Name: "Torino", Region: Region{"01", "Piemonte"}},
		{Code: "007", Sigla: "AO", Name: "Valle d'Aosta/Vallée d'Aoste", Region: Region{"02", "Valle d'Aosta/Vallée d'Aoste"}},
		{Code: "015", Sigla: "MI", Name: "Milano", Region: Region{"03", "Lombardia"}},
		{Code: "021", Sigla: "BZ", Name: "Bolzano/Bozen", Region: Region{"04", "Trentino-Alto Adige/Südtirol"}},
		{Code: "022", Sigla: "TN", Name: "Trento", Region: Region{"04", "Trentino-Alto Adige/Südtirol"}},
		{Code: "030", Sigla: "UD", Name: "Udine", Region: Region{"06", "Friuli-Venezia Giulia"}},
		{Code: "035", Sigla: "RE", Name: "Reggio nell'Emilia", Region: Region{"08", "Emilia-Romagna"}},
		{Code: "040", Sigla: "FC", Name: "Forlì-Cesena", Region: Region{"08", "Emilia-Romagna"}},
		{Code: "058", Sigla: "RM", Name: "Roma", Region: Region{"12", "Lazio"}},
		{Code: "063", Sigla: "NA", Name: "Napoli", Region: Region{"15", "Campania"}},
		{Code: "066", Sigla: "AQ", Name: "L'Aquila", Region: Region{"13", "Abruzzo"}},
		{Code: "080", Sigla: "RC", Name: "Reggio Calabria", Region: Region{"18", "Calabria"}},
		{Code: "082", Sigla: "PA", Name: "Palermo", Region: Region{"19", "Sicilia"}},
		{Code: "101", Sigla: "KR", Name: "Crotone", Region: Region{"18", "Calabria"}},
		{Code: "108", Sigla: "MB", Name: "Monza e della Brianza", Region: Region{"03", "Lombardia"}},
		{Code: "110", Sigla: "BT", Name: "Barletta-Andria-Trani", Region: Region{"16", "Puglia"}},
		// Sardinia after the 2025 reform.
		{Code: "112", Sigla: "SS", Name: "Sassari", Region: Region{"20", "Sardegna"}},
		{Code: "113", Sigla: "OT", Name: "Gallura Nord-Est Sardegna", Region: Region{"20", "Sardegna"}},
		{Code: "114", Sigla: "NU", Name: "Nuoro", Region: Region{"20", "Sardegna"}},
		{Code: "115", Sigla: "OR", Name: "Oristano", Region: Region{"20", "Sardegna"}},
		{Code: "116", Sigla: "OG", Name: "Ogliastra", Region: Region{"20", "Sardegna"}},
		{Code: "117", Sigla: "VS", Name: "Medio Campidano", Region: Region{"20", "Sardegna"}},
		{Code: "118", Sigla: "CA", Name: "Cagliari", Region: Region{"20", "Sardegna"}},
		{Code: "119", Sigla: "CI", Name: "Sulcis Iglesiente", Region: Region{"20", "Sardegna"}},
	} {
		if got, ok := ProvinceByCode(want.Code); !ok || got != want {
			t.Errorf("ProvinceByCode(%q) = %+v, %v; want %+v", want.Code, got, ok, want)
		}
		if got, ok := ProvinceBySigla(want.Sigla); !ok || got != want {
			t.Errorf("ProvinceBySigla(%q) = %+v, %v; want %+v", want.Sigla, got, ok, want)
		}
	}
}

func TestFormerSardinianCodesAreGone(t *testing.T) {
	for _, code := range []string{"090", "091", "092", "095", "111", "104", "105", "106", "107"} {
		if p, ok := ProvinceByCode(code); ok {
			t.Errorf("ProvinceByCode(%q) = %+v, want none", code, p)
		}
	}
	if p, ok := ProvinceBySigla("SU"); ok {
		t.Errorf("ProvinceBySigla(SU) = %+v, want none", p)
	}
}

func TestLookupsIgnoreCaseAndSpaces(t *testing.T) {
	for in, want := range map[string]string{
		"to":     "001",
		" Mi ":   "015",
		"rM":     "058",
		"\tbz\n": "021",
		"ci":     "119",
	} {
		p, ok := ProvinceBySigla(in)
		if !ok || p.Code != want {
			t.Errorf("ProvinceBySigla(%q) = %+v, %v; want code %s", in, p, ok, want)
		}
		if err := CheckSigla(in); err != nil {
			t.Errorf("CheckSigla(%q) = %v", in, err)
		}
	}
	if p, ok := ProvinceByCode(" 063 "); !ok || p.Sigla != "NA" {
		t.Errorf("ProvinceByCode(\" 063 \") = %+v, %v; want NA", p, ok)
	}
	for _, in := range []string{"", "XX", "T", "TOR", "63", "1"} {
		if p, ok := ProvinceBySigla(in); ok {
			t.Errorf("ProvinceBySigla(%q) = %+v, want none", in, p)
		}
	}
	for _, in := range []string{"", "1", "63", "000", "999", "TO"} {
		if p, ok := ProvinceByCode(in); ok {
			t.Errorf("ProvinceByCode(%q) = %+v, want none", in, p)
		}
	}
	if ps := ProvincesOf("21"); len(ps) != 0 {
		t.Errorf("ProvincesOf(21) = %v, want none", ps)
	}
}

func TestCheckSigla(t *testing.T) {
	for _, tc := range []struct {
		in, key string
	}{
		{"", "err.territory.sigla.empty"},
		{"   ", "err.territory.sigla.empty"},
		{"T", "err.territory.sigla.form"},
		{"TOR", "err.territory.sigla.form"},
		{"T0", "err.territory.sigla.form"},
		{"ÀB", "err.territory.sigla.form"},
		{"xx", "err.territory.sigla.unknown"},
		{"su", "err.territory.sigla.su"},
	} {
		err := CheckSigla(tc.in)
		if attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) != tc.key {
			t.Errorf("CheckSigla(%q) = %v (%s %s), want %s", tc.in, err, attesta.ErrorCode(err), attesta.ErrorKey(err), tc.key)
		}
	}
	for _, p := range Provinces() {
		if err := CheckSigla(p.Sigla); err != nil {
			t.Errorf("CheckSigla(%q) = %v", p.Sigla, err)
		}
	}
}

func TestResultsAreCopies(t *testing.T) {
	Provinces()[0].Name = "changed"
	Regions()[0].Name = "changed"
	ProvincesOf("01")[0].Name = "changed"
	if p, _ := ProvinceByCode("001"); p.Name != "Torino" || p.Region.Name != "Piemonte" {
		t.Errorf("callers changed the table: %+v", p)
	}
	if r := Regions()[0]; r.Name != "Piemonte" {
		t.Errorf("callers changed the regions: %+v", r)
	}
}

func TestParseRejectsMalformed(t *testing.T) {
	const head = "region_code,region_name,province_code,sigla,name\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", "reading header"},
		{"wrong header", "regione,nome,codice,sigla,nome\n", "header"},
		{"no rows", head, "no provinces"},
		{"short row", head + "01,Piemonte,001,TO\n", "reading row"},
		{"region code", head + "1,Piemonte,001,TO,Torino\n", "region code"},
		{"region 21", head + "21,Altrove,001,TO,Torino\n", "region code"},
		{"region name", head + "01,,001,TO,Torino\n", "no name"},
		{"province code", head + "01,Piemonte,01,TO,Torino\n", "province code"},
		{"sigla case", head + "01,Piemonte,001,to,Torino\n", "sigla"},
		{"sigla length", head + "01,Piemonte,001,TOR,Torino\n", "sigla"},
		{"name", head + "01,Piemonte,001,TO, Torino\n", "name"},
		{"order", head + "01,Piemonte,002,VC,Vercelli\n01,Piemonte,001,TO,Torino\n", "does not follow"},
		{"duplicate code", head + "01,Piemonte,001,TO,Torino\n01,Piemonte,001,VC,Vercelli\n", "does not follow"},
		{"duplicate sigla", head + "01,Piemonte,001,TO,Torino\n01,Piemonte,002,TO,Vercelli\n", "duplicate sigla"},
		{"region renamed", head + "01,Piemonte,001,TO,Torino\n01,Piedmont,002,VC,Vercelli\n", "earlier"},
	} {
		if _, err := parse([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: parse = %v, want %q", tc.name, err, tc.want)
		}
	}
	tb, err := parse([]byte(head + "01,Piemonte,001,TO,Torino\n02,Valle d'Aosta/Vallée d'Aoste,007,AO,Valle d'Aosta/Vallée d'Aoste\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.regions) != 2 || len(tb.provinces) != 2 || tb.bySigla["AO"] != 1 {
		t.Errorf("parsed %+v", tb)
	}
}

func FuzzCheckSigla(f *testing.F) {
	for _, s := range []string{"TO", "to", " MI ", "SU", "", "XX", "ÀB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckSigla(s)
		_, ok := ProvinceBySigla(s)
		if (err == nil) != ok {
			t.Errorf("%q: CheckSigla = %v, ProvinceBySigla found = %v", s, err, ok)
		}
		if err != nil && (attesta.ErrorCode(err) != attesta.Invalid || attesta.ErrorKey(err) == "") {
			t.Errorf("%q: error %v has no code and key", s, err)
		}
	})
}
