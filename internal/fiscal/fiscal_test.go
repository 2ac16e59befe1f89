package fiscal

import (
	"strings"
	"testing"
)

func TestPartitaIVA(t *testing.T) {
	for _, ok := range []string{"06363391001", "00743110157", "12345678903", "IT 06363391001"} {
		if err := CheckPartitaIVA(NormalizePartitaIVA(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for in, want := range map[string]string{
		"06363391002":  "check digit of the partita IVA is 1, not 2",
		"0636339100":   "11 digits, not 10",
		"0636339100A":  "only digits",
		"00000000000":  "all zeros",
		"063633910011": "11 digits, not 12",
	} {
		err := CheckPartitaIVA(NormalizePartitaIVA(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
		if e, ok := err.(*Error); !ok || English(e.Key) == "" {
			t.Errorf("%s: %#v has no known reason", in, err)
		}
	}
}

func TestCodiceFiscale(t *testing.T) {
	for _, ok := range []string{"MRTMTT25D09F205Z", "rssmra85t10a562s", "06363391001"} {
		if err := CheckCodiceFiscale(NormalizeCodiceFiscale(ok)); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	// Omocodia: a digit replaced by its letter changes the check character.
	omo := "MRTMTT25D09F20" + "R" // 5 → R
	omo += string(cfCheck(omo))
	if err := CheckCodiceFiscale(omo); err != nil {
		t.Errorf("%s: %v", omo, err)
	}
	for in, want := range map[string]string{
		"MRTMTT25D09F205A": "check character of the codice fiscale is Z, not A",
		"MRTMTT25D09F205":  "16 characters",
		"MRTMT125D09F205Z": "character 6 of a codice fiscale must be a letter",
		"MRTMTT2AD09F205Z": "character 8 of a codice fiscale must be a digit",
		"MRTMTT25F09F205Z": "month letter",
		"MRTMTT25D35F205Z": "birth day of the codice fiscale is 35",
		"06363391002":      "invalid numeric codice fiscale",
	} {
		if err := CheckCodiceFiscale(NormalizeCodiceFiscale(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"MRTMTT25D09F205Z", "06363391001", "", "IT"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		CheckCodiceFiscale(NormalizeCodiceFiscale(s))
		CheckPartitaIVA(NormalizePartitaIVA(s))
	})
}
