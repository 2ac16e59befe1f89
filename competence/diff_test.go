package competence

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// diffBase is a small standard that the cases of TestDiff change.
func diffBase() *Standard {
	return &Standard{
		Sector: "meccatronica", Version: 1, Status: Published, PublishedAt: time.Date(2025, 10, 2, 0, 0, 0, 0, time.UTC), Digest: "sha256:x",
		Title: Text{IT: "Meccatronica", EN: "Mechatronics"}, Levels: []Level{Tecnico},
		Scale: []ScaleLevel{
			{Value: 1, Label: Text{IT: "Base"}, Description: Text{IT: "Con guida"}},
			{Value: 2, Label: Text{IT: "Intermedio"}},
			{Value: 3, Label: Text{IT: "Avanzato"}},
		},
		Defaults: MicroCredential{EQFLevel: 4, LearningModes: []LearningMode{WorkBased}},
		Paths: []Path{
			{ID: "progettazione", Title: Text{IT: "Progettazione"}, Competences: []PathCompetence{
				{Code: "C1", SchoolTypes: []SchoolType{Tecnica}}, {Code: "C2", SchoolTypes: []SchoolType{Tecnica}}}},
			{ID: "produzione", Title: Text{IT: "Produzione"}, Competences: []PathCompetence{{Code: "C2", SchoolTypes: []SchoolType{Professionale}}}},
		},
		Competences: []Competence{
			{Code: "C1", Title: Text{IT: "Disegno"}, ADA: []ADA{{Code: "ADA.10.02.02", FormerCode: "ADA.7.47.148", Title: Text{IT: "Progettazione"},
				Results: []Result{{Code: "RA1", Title: Text{IT: "Risultato"}, Activities: []Activity{
					{Title: Text{IT: "Attività A"}, Evidences: []Evidence{{Text: Text{IT: "e1"}}, {Text: Text{IT: "e2"}}, {Text: Text{IT: "e3"}}}},
					{Title: Text{IT: "Attività B"}},
				}}}}}},
			{Code: "C2", Title: Text{IT: "Montaggio"}},
		},
	}
}

func TestDiff(t *testing.T) {
	const c1 = "competences[C1]"
	const ra1 = c1 + ".ada[ADA.10.02.02].results[RA1]"
	tests := []struct {
		name   string
		change func(s *Standard)
		want   []Change
	}{
		{"nothing", func(s *Standard) {}, nil},
		{"status, version, time and digest are not content", func(s *Standard) {
			s.Version, s.Status, s.PublishedAt, s.Digest = 2, Draft, time.Time{}, ""
		}, nil},
		{"sector title in English", func(s *Standard) { s.Title.EN = "Mechatronic" },
			[]Change{{Op: Changed, Kind: SectorPart, Field: "title", Before: Text{IT: "Meccatronica", EN: "Mechatronics"}, After: Text{IT: "Meccatronica", EN: "Mechatronic"}}}},
		{"levels", func(s *Standard) { s.Levels = append(s.Levels, Professional) },
			[]Change{{Op: Changed, Kind: SectorPart, Field: "levels", Before: []Level{Tecnico}, After: []Level{Tecnico, Professional}}}},
		{"scale descriptor", func(s *Standard) { s.Scale[0].Description.IT = "Con la guida del tutor" },
			[]Change{{Op: Changed, Kind: ScalePart, Path: "observation_scale[1]", Field: "description", Before: Text{IT: "Con guida"}, After: Text{IT: "Con la guida del tutor"}}}},
		{"scale level removed", func(s *Standard) { s.Scale = s.Scale[:2] },
			[]Change{{Op: Removed, Kind: ScalePart, Path: "observation_scale[3]", Before: ScaleLevel{Value: 3, Label: Text{IT: "Avanzato"}}}}},
		{"defaults", func(s *Standard) {
			s.Defaults.EQFLevel, s.Defaults.ISCEDF, s.Defaults.Credits = 5, "0714", 1.5
			s.Defaults.ESCO = []ESCOAlignment{{URI: "http://data.europa.eu/esco/skill/1", Title: Text{IT: "Disegno tecnico"}}}
		}, []Change{
			{Op: Changed, Kind: MicroCredentialPart, Path: "microcredential", Field: "eqf_level", Before: 4, After: 5},
			{Op: Changed, Kind: MicroCredentialPart, Path: "microcredential", Field: "isced_f", Before: "", After: "0714"},
			{Op: Changed, Kind: MicroCredentialPart, Path: "microcredential", Field: "credits", Before: 0.0, After: 1.5},
			{Op: Changed, Kind: MicroCredentialPart, Path: "microcredential", Field: "esco", Before: []ESCOAlignment(nil),
				After: []ESCOAlignment{{URI: "http://data.europa.eu/esco/skill/1", Title: Text{IT: "Disegno tecnico"}}}},
		}},
		{"a path added, one removed", func(s *Standard) {
			s.Paths[1] = Path{ID: "manutenzione", Title: Text{IT: "Manutenzione"}}
		}, []Change{
			{Op: Removed, Kind: PathPart, Path: "paths[produzione]", Before: diffBase().Paths[1]},
			{Op: Added, Kind: PathPart, Path: "paths[manutenzione]", After: Path{ID: "manutenzione", Title: Text{IT: "Manutenzione"}}},
		}},
		{"a path's competences", func(s *Standard) {
			s.Paths[0].Competences[0].SchoolTypes = []SchoolType{Tecnica, Professionale}
			s.Paths[0].Competences = s.Paths[0].Competences[:1]
			s.Paths[1].Competences = append(s.Paths[1].Competences, PathCompetence{Code: "C1", SchoolTypes: []SchoolType{Liceo}})
		}, []Change{
			{Op: Changed, Kind: PlacePart, Path: "paths[progettazione].competences[C1]", Field: "school_types", Before: []SchoolType{Tecnica}, After: []SchoolType{Tecnica, Professionale}},
			{Op: Removed, Kind: PlacePart, Path: "paths[progettazione].competences[C2]", Before: PathCompetence{Code: "C2", SchoolTypes: []SchoolType{Tecnica}}},
			{Op: Added, Kind: PlacePart, Path: "paths[produzione].competences[C1]", After: PathCompetence{Code: "C1", SchoolTypes: []SchoolType{Liceo}}},
		}},
		{"paths reordered", func(s *Standard) { s.Paths[0], s.Paths[1] = s.Paths[1], s.Paths[0] },
			[]Change{{Op: Changed, Kind: PathPart, Path: "paths", Field: "order", Before: []string{"progettazione", "produzione"}, After: []string{"produzione", "progettazione"}}}},
		{"a competence added and one removed", func(s *Standard) {
			s.Competences[1] = Competence{Code: "C3", Title: Text{IT: "Manutenzione"}}
		}, []Change{
			{Op: Removed, Kind: CompetencePart, Path: "competences[C2]", Before: Competence{Code: "C2", Title: Text{IT: "Montaggio"}}},
			{Op: Added, Kind: CompetencePart, Path: "competences[C3]", After: Competence{Code: "C3", Title: Text{IT: "Manutenzione"}}},
		}},
		{"an ADA's former code and title", func(s *Standard) {
			a := &s.Competences[0].ADA[0]
			a.FormerCode, a.Title.EN = "", "Design"
		}, []Change{
			{Op: Changed, Kind: ADAPart, Path: c1 + ".ada[ADA.10.02.02]", Field: "former_code", Before: "ADA.7.47.148", After: ""},
			{Op: Changed, Kind: ADAPart, Path: c1 + ".ada[ADA.10.02.02]", Field: "title", Before: Text{IT: "Progettazione"}, After: Text{IT: "Progettazione", EN: "Design"}},
		}},
		{"an ADA added", func(s *Standard) {
			s.Competences[0].ADA = append(s.Competences[0].ADA, ADA{Code: "ADA.1.2.3", Title: Text{IT: "Altra"}})
		}, []Change{{Op: Added, Kind: ADAPart, Path: c1 + ".ada[ADA.1.2.3]", After: ADA{Code: "ADA.1.2.3", Title: Text{IT: "Altra"}}}}},
		{"a result's title, a result added", func(s *Standard) {
			r := &s.Competences[0].ADA[0].Results
			(*r)[0].Title.IT = "Risultato atteso"
			*r = append(*r, Result{Code: "RA2", Title: Text{IT: "Secondo"}})
		}, []Change{
			{Op: Changed, Kind: ResultPart, Path: ra1, Field: "title", Before: Text{IT: "Risultato"}, After: Text{IT: "Risultato atteso"}},
			{Op: Added, Kind: ResultPart, Path: c1 + ".ada[ADA.10.02.02].results[RA2]", After: Result{Code: "RA2", Title: Text{IT: "Secondo"}}},
		}},
		{"an evidence reworded", func(s *Standard) {
			s.Competences[0].ADA[0].Results[0].Activities[0].Evidences[1].Text.IT = "e2 riveduta"
		}, []Change{{Op: Changed, Kind: EvidencePart, Path: ra1 + ".activities[0].evidences[1]", Field: "text", Before: Text{IT: "e2"}, After: Text{IT: "e2 riveduta"}}}},
		{"the first evidence removed is one removal", func(s *Standard) {
			a := &s.Competences[0].ADA[0].Results[0].Activities[0]
			a.Evidences = a.Evidences[1:]
		}, []Change{{Op: Removed, Kind: EvidencePart, Path: ra1 + ".activities[0].evidences[0]", Before: Evidence{Text: Text{IT: "e1"}}}}},
		{"an evidence added in the middle", func(s *Standard) {
			a := &s.Competences[0].ADA[0].Results[0].Activities[0]
			a.Evidences = []Evidence{a.Evidences[0], {Text: Text{IT: "nuova"}}, a.Evidences[1], a.Evidences[2]}
		}, []Change{{Op: Added, Kind: EvidencePart, Path: ra1 + ".activities[0].evidences[1]", After: Evidence{Text: Text{IT: "nuova"}}}}},
		{"an activity renamed, another removed", func(s *Standard) {
			acts := &s.Competences[0].ADA[0].Results[0].Activities
			(*acts)[0].Title.IT = "Attività A1"
			*acts = (*acts)[:1]
		}, []Change{
			{Op: Changed, Kind: ActivityPart, Path: ra1 + ".activities[0]", Field: "title", Before: Text{IT: "Attività A"}, After: Text{IT: "Attività A1"}},
			{Op: Removed, Kind: ActivityPart, Path: ra1 + ".activities[1]", Before: Activity{Title: Text{IT: "Attività B"}}},
		}},
		{"a competence's override", func(s *Standard) { s.Competences[1].MicroCredential.WorkloadHours = 40 },
			[]Change{{Op: Changed, Kind: MicroCredentialPart, Path: "competences[C2].microcredential", Field: "workload_hours", Before: 0, After: 40}}},
		{"competences reordered and one retitled", func(s *Standard) {
			s.Competences[0], s.Competences[1] = s.Competences[1], s.Competences[0]
			s.Competences[0].Title.IT = "Assemblaggio"
		}, []Change{
			{Op: Changed, Kind: CompetencePart, Path: "competences[C2]", Field: "title", Before: Text{IT: "Montaggio"}, After: Text{IT: "Assemblaggio"}},
			{Op: Changed, Kind: CompetencePart, Path: "competences", Field: "order", Before: []string{"C1", "C2"}, After: []string{"C2", "C1"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := diffBase()
			tc.change(b)
			got := Diff(diffBase(), b)
			if !reflect.DeepEqual(got, tc.want) {
				gj, _ := json.MarshalIndent(got, "", "  ")
				wj, _ := json.MarshalIndent(tc.want, "", "  ")
				t.Errorf("Diff:\n%s\nwant\n%s", gj, wj)
			}
			// The other way round, everything added is removed and the
			// values of a change swap.
			back := Diff(b, diffBase())
			if len(back) != len(tc.want) {
				t.Fatalf("Diff back: %d changes, want %d", len(back), len(tc.want))
			}
			for _, c := range back {
				if c.Op == Changed && c.Field != "order" && !reflect.DeepEqual(c.Before, find(tc.want, c.Where()).After) {
					t.Errorf("Diff back at %s: before %v", c.Where(), c.Before)
				}
			}
		})
	}
}

func find(cs []Change, where string) Change {
	for _, c := range cs {
		if c.Where() == where {
			return c
		}
	}
	return Change{}
}

// TestDiffBundled: the bundled standard against itself has no change, and
// against an empty version of its sector every path and competence is
// added.
func TestDiffBundled(t *testing.T) {
	f, err := Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Standards {
		s := &f.Standards[i]
		if cs := Diff(s, s); cs != nil {
			t.Errorf("%s against itself: %v", s.Sector, cs)
		}
		added := 0
		for _, c := range Diff(&Standard{Sector: s.Sector, Title: s.Title, Description: s.Description, Levels: s.Levels, Scale: s.Scale, Defaults: s.Defaults}, s) {
			if c.Op != Added || (c.Kind != PathPart && c.Kind != CompetencePart) {
				t.Errorf("%s from empty: %+v", s.Sector, c)
			}
			added++
		}
		if added != len(s.Paths)+len(s.Competences) {
			t.Errorf("%s from empty: %d parts added, want %d", s.Sector, added, len(s.Paths)+len(s.Competences))
		}
	}
}
