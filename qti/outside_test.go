package qti_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/qti"
)

// The outside examples are public QTI 3.0 items and packages, kept
// byte for byte in testdata/outside with their licences
// (testdata/outside/README.md says where each comes from). Those that use
// only what attesta delivers import; the others are refused, each
// problem named with its line, column and element.

// where is a problem as the tests name it: "line:column element key".
func where(p qti.Problem) string {
	return fmt.Sprintf("%d:%d %s %s", p.Line, p.Column, p.Element, p.Key)
}

// imported is what an outside item must import as.
type imported struct {
	kind    item.Kind
	scoring item.Scoring
	correct []string
	check   func(t *testing.T, it item.Item)
}

func TestOutsideItems(t *testing.T) {
	for _, tc := range []struct {
		file    string
		want    *imported
		refused []string
	}{
		// They import.
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/firstexample.xml", &imported{item.SingleChoice, item.MatchCorrect, []string{"A"}, func(t *testing.T, it item.Item) {
			if it.Prompt != "Of the following hormones, which is produced by the adrenal glands?" || len(it.Choices) != 4 || it.Lang != "en" {
				t.Errorf("prompt %q, %d choices, lang %q", it.Prompt, len(it.Choices), it.Lang)
			}
		}}, nil},
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG007.xml", &imported{item.TrueFalse, item.MatchCorrect, []string{"true"}, nil}, nil},
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG010.xml", &imported{item.TextEntry, item.MapResponse, []string{"York"}, func(t *testing.T, it item.Item) {
			want := &item.Map{Entries: []item.MapEntry{{Key: "York", Points: 1}, {Key: "york", Points: 0.5}}, CaseSensitive: true}
			if !reflect.DeepEqual(it.Map, want) {
				t.Errorf("map %+v", it.Map)
			}
			if it.Before != "Now is the winter of our discontent\nMade glorious summer by this sun of" ||
				it.After != ";\nAnd all the clouds that lour'd upon our house\nIn the deep bosom of the ocean buried." {
				t.Errorf("before %q after %q", it.Before, it.After)
			}
			if it.Prompt != "Identify the missing word in this famous quote from Shakespeare's Richard III." {
				t.Errorf("prompt %q", it.Prompt)
			}
		}}, nil},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-inline-choice.xml", &imported{item.InlineChoice, item.MatchCorrect, []string{"Y"}, func(t *testing.T, it item.Item) {
			if it.Before != "Now is the winter of our discontent\nMade glorious summer by this sun of" || !strings.HasPrefix(it.After, ";\nAnd all") {
				t.Errorf("before %q after %q", it.Before, it.After)
			}
			if !slices.Equal([]string{it.Choices[0].Text, it.Choices[1].Text, it.Choices[2].Text}, []string{"Gloucester", "Lancaster", "York"}) {
				t.Errorf("choices %v", it.Choices)
			}
		}}, nil},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-match.xml", &imported{item.Matching, item.MapResponse, []string{"C R", "D M", "L M", "P T"}, func(t *testing.T, it item.Item) {
			if len(it.Choices) != 4 || len(it.Targets) != 3 || len(it.Map.Entries) != 4 || it.Map.Entries[1].Points != 0.5 {
				t.Errorf("%d sources, %d targets, map %+v", len(it.Choices), len(it.Targets), it.Map)
			}
		}}, nil},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-order.xml", &imported{item.Ordering, item.MatchCorrect, []string{"DriverC", "DriverA", "DriverB"}, func(t *testing.T, it item.Item) {
			if it.Prompt != "The following F1 drivers finished on the podium in the first ever Grand Prix of Bahrain.\n\nRearrange them into the correct finishing order." {
				t.Errorf("prompt %q", it.Prompt)
			}
		}}, nil},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3multiplechoice2.xml", &imported{item.MultipleChoice, item.MatchCorrect, []string{"H", "O"}, nil}, nil},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/RTL_Hebrew.xml", &imported{item.MultipleChoice, item.MapResponse, []string{"H", "O"}, func(t *testing.T, it item.Item) {
			if it.Map.Lower == nil || it.Map.Upper == nil || it.Map.Default != -2 {
				t.Errorf("map %+v", it.Map)
			}
		}}, nil},
		{"pie-qti/qti3-choice-multiple.xml", &imported{item.MultipleChoice, item.MatchCorrect, []string{"choice_a", "choice_c"}, nil}, nil},
		{"pie-qti/qti3-order-interaction.xml", &imported{item.Ordering, item.MatchCorrect, []string{"step_1", "step_2", "step_3", "step_4"}, nil}, nil},
		// A text entry scored match_correct is its text worth 1.
		{"pie-qti/qti3-text-entry.xml", &imported{item.TextEntry, item.MapResponse, []string{"Paris"}, func(t *testing.T, it item.Item) {
			if it.Before != "The capital of France is" || it.After != "." || it.ExpectedLength != 15 || len(it.Map.Entries) != 1 || !it.Map.CaseSensitive {
				t.Errorf("before %q after %q length %d map %+v", it.Before, it.After, it.ExpectedLength, it.Map)
			}
		}}, nil},
		{"php-qti3/match-correct-template.xml", &imported{item.TextEntry, item.MapResponse, []string{"Test"}, nil}, nil},

		// They are refused, by name.
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG008.xml", nil, []string{"26:3 qti-choice-interaction err.qti.unsupported.attribute"}},
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG009.xml", nil, []string{"24:4 qti-extended-text-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG011.xml", nil, []string{"14:8 img err.qti.unsupported.media", "18:3 video err.qti.unsupported.media", "26:3 qti-extended-text-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/Example01-modalFeedback.xml", nil, []string{"39:3 qti-response-processing err.qti.unsupported.processing", "68:3 qti-modal-feedback err.qti.unsupported.feedback", "71:3 qti-modal-feedback err.qti.unsupported.feedback"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/Example02-feedbackInline.xml", nil, []string{"36:11 qti-feedback-inline err.qti.unsupported.feedback", "40:9 qti-feedback-inline err.qti.unsupported.feedback", "46:3 qti-response-processing err.qti.unsupported.processing"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/MathML.xml", nil, []string{"22:11 math err.qti.unsupported.math"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/Order_RTL_Hebrew.xml", nil, []string{"19:21 bdo err.qti.unsupported.element", "21:49 bdo err.qti.unsupported.element", "22:49 bdo err.qti.unsupported.element", "23:49 bdo err.qti.unsupported.element"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-associate.xml", nil, []string{"22:5 qti-associate-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-custom-stylesheet.xml", nil, []string{"8:3 qti-response-declaration err.qti.item.template.response", "13:3 qti-response-declaration err.qti.item.declaration.many", "19:3 qti-stylesheet err.qti.unsupported.stylesheet", "28:9 qti-inline-choice-interaction err.qti.item.response"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-graphic-order.xml", nil, []string{"23:5 qti-graphic-order-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-hotspot.xml", nil, []string{"16:5 qti-hotspot-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/adaptive_mh1.xml", nil, []string{"2:1 qti-assessment-item err.qti.unsupported.attribute", "10:3 qti-response-declaration err.qti.item.declaration.many", "38:5 qti-feedback-block err.qti.unsupported.feedback", "42:5 qti-feedback-block err.qti.unsupported.feedback", "49:5 qti-feedback-block err.qti.unsupported.feedback", "54:5 qti-feedback-block err.qti.unsupported.feedback", "63:9 qti-feedback-inline err.qti.unsupported.feedback", "66:9 qti-feedback-inline err.qti.unsupported.feedback", "70:9 qti-feedback-inline err.qti.unsupported.feedback", "76:9 qti-feedback-inline err.qti.unsupported.feedback", "79:9 qti-feedback-inline err.qti.unsupported.feedback", "83:9 qti-feedback-inline err.qti.unsupported.feedback", "89:9 qti-feedback-inline err.qti.unsupported.feedback", "92:9 qti-feedback-inline err.qti.unsupported.feedback", "96:9 qti-feedback-inline err.qti.unsupported.feedback", "103:5 qti-feedback-block err.qti.unsupported.feedback", "123:3 qti-response-processing err.qti.unsupported.processing", "298:3 qti-modal-feedback err.qti.unsupported.feedback", "304:3 qti-modal-feedback err.qti.unsupported.feedback", "309:3 qti-modal-feedback err.qti.unsupported.feedback"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/drawing-interaction-1.xml", nil, []string{"12:5 qti-drawing-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/end-attempt-example-1.xml", nil, []string{"13:3 qti-response-declaration err.qti.item.declaration.many", "25:7 qti-end-attempt-interaction err.qti.unsupported.interaction", "27:5 qti-feedback-block err.qti.unsupported.feedback", "33:3 qti-response-processing err.qti.unsupported.processing"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/essay.xml", nil, []string{"14:6 qti-extended-text-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/gap-match-example-1.xml", nil, []string{"20:5 qti-gap-match-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/hot-text-example-1.xml", nil, []string{"22:5 qti-hottext-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/media-example-1.xml", nil, []string{"10:5 qti-media-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/position-object-1.xml", nil, []string{"30:5 qti-position-object-stage err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/select-point-item_1.xml", nil, []string{"19:9 qti-select-point-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/slider-1.xml", nil, []string{"16:5 qti-slider-interaction err.qti.unsupported.interaction"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/template_digging.xml", nil, []string{"8:3 qti-response-declaration err.qti.item.basetype", "11:3 qti-template-declaration err.qti.unsupported.template", "12:3 qti-template-declaration err.qti.unsupported.template", "13:3 qti-template-declaration err.qti.unsupported.template", "14:3 qti-template-declaration err.qti.unsupported.template", "16:3 qti-template-processing err.qti.unsupported.template", "81:20 qti-printed-variable err.qti.unsupported.template", "82:5 qti-printed-variable err.qti.unsupported.template", "83:5 qti-printed-variable err.qti.unsupported.template", "85:5 qti-printed-variable err.qti.unsupported.template", "86:5 qti-printed-variable err.qti.unsupported.template"}},
		{"1edtech-qti-examples/QTI3_BPIG_Examples/items/upload-interaction.xml", nil, []string{"14:7 qti-upload-interaction err.qti.unsupported.interaction"}},
		{"pie-qti/qti3-choice-single.xml", nil, []string{"50:3 qti-modal-feedback err.qti.unsupported.feedback", "56:3 qti-modal-feedback err.qti.unsupported.feedback"}},
		{"pie-qti/qti3-extended-text.xml", nil, []string{"22:5 qti-extended-text-interaction err.qti.unsupported.interaction", "46:3 qti-modal-feedback err.qti.unsupported.feedback"}},
		{"pie-qti/qti3-hotspot-interaction.xml", nil, []string{"22:5 qti-hotspot-interaction err.qti.unsupported.interaction"}},
		// base-type "directed-pair" is not QTI 3.0's "directedPair".
		{"pie-qti/qti3-match-interaction.xml", nil, []string{"9:3 qti-response-declaration err.qti.item.basetype"}},
		{"php-qti3/map-response-template.xml", nil, []string{"3:3 qti-response-declaration err.qti.item.basetype", "23:3 qti-stylesheet err.qti.unsupported.stylesheet", "33:11 img err.qti.unsupported.media", "36:11 img err.qti.unsupported.media", "40:5 qti-feedback-block err.qti.unsupported.feedback", "43:5 qti-feedback-block err.qti.unsupported.feedback"}},
		{"php-qti3/select-point-processing.xml", nil, []string{"21:3 qti-stylesheet err.qti.unsupported.stylesheet", "23:5 qti-select-point-interaction err.qti.unsupported.interaction", "27:5 qti-feedback-block err.qti.unsupported.feedback", "30:5 qti-feedback-block err.qti.unsupported.feedback"}},
		{"php-qti3/simple-choice-processing.xml", nil, []string{"19:3 qti-stylesheet err.qti.unsupported.stylesheet", "27:3 qti-response-processing err.qti.unsupported.processing"}},
	} {
		t.Run(strings.TrimSuffix(filepath.Base(tc.file), ".xml"), func(t *testing.T) {
			name := "items/" + filepath.Base(tc.file)
			data := packageOfItems(t, map[string][]byte{name: read(t, "outside/"+tc.file)})
			pkg, err := qti.Import(data)
			if tc.want == nil {
				ps := problemsOf(t, err)
				var got []string
				for _, p := range ps {
					if p.File != name {
						t.Errorf("problem in %s, want %s: %s", p.File, name, p)
					}
					got = append(got, where(p))
				}
				if !slices.Equal(got, tc.refused) {
					t.Errorf("problems\n got %q\nwant %q\n%v", got, tc.refused, ps)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			it := pkg.Items[0]
			if it.Kind != tc.want.kind || it.Scoring != tc.want.scoring || !slices.Equal(it.Correct, tc.want.correct) {
				t.Errorf("got %s %s %q, want %s %s %q", it.Kind, it.Scoring, it.Correct, tc.want.kind, tc.want.scoring, tc.want.correct)
			}
			if it.Status != item.Draft || it.Version != 1 {
				t.Errorf("an item from elsewhere is %s version %d, want a draft, version 1", it.Status, it.Version)
			}
			if tc.want.check != nil {
				tc.want.check(t, it)
			}
			roundTrip(t, pkg)
		})
	}
}

// roundTrip checks that pkg, imported, exports as a package that imports
// as pkg and exports the same bytes again.
func roundTrip(t *testing.T, pkg qti.Package) {
	t.Helper()
	first, err := qti.Export(pkg.Items, pkg.Tests)
	if err != nil {
		t.Fatalf("export of what was imported: %v", err)
	}
	back, err := qti.Import(first)
	if err != nil {
		t.Fatalf("import of the export: %v", err)
	}
	if !reflect.DeepEqual(back, pkg) {
		t.Fatalf("import of the export differs:\n got %+v\nwant %+v", back, pkg)
	}
	second, err := qti.Export(back.Items, back.Tests)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("export → import → export is not byte-identical")
	}
}

// dirPackage zips a folder of testdata/outside as it is published.
func dirPackage(t *testing.T, dir string) []byte {
	t.Helper()
	files := map[string][]byte{}
	root := filepath.Join("testdata", "outside", filepath.FromSlash(dir))
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[filepath.ToSlash(rel)], err = os.ReadFile(p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return zipOf(t, files)
}

// TestOutsideBeginnersGuide: 1EdTech's Beginner's Guide package, as
// published (its media left out: they are webcontent resources attesta
// passes over), is refused for what three of its items use, each named in
// its file; its test names those items and adds no problem of its own.
func TestOutsideBeginnersGuide(t *testing.T) {
	_, err := qti.Import(dirPackage(t, "1edtech-qti-examples/QTI3_BeginnersGuide_Examples"))
	ps := problemsOf(t, err)
	var got []string
	for _, p := range ps {
		got = append(got, p.File+" "+where(p))
	}
	want := []string{
		"items/BG008.xml 26:3 qti-choice-interaction err.qti.unsupported.attribute",
		"items/BG009.xml 24:4 qti-extended-text-interaction err.qti.unsupported.interaction",
		"items/BG011.xml 14:8 img err.qti.unsupported.media",
		"items/BG011.xml 18:3 video err.qti.unsupported.media",
		"items/BG011.xml 26:3 qti-extended-text-interaction err.qti.unsupported.interaction",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %q\nwant %q", got, want)
	}
	if s := ps[0].In("en"); s != `max-choices=“3” is not supported: attesta's multiple choice lets the candidate choose any number of options (max-choices 0)` {
		t.Errorf("said %q", s)
	}
}

// TestOutsideSupported: the outside items that import, in one package,
// import together and go round the trip.
func TestOutsideSupported(t *testing.T) {
	docs := map[string][]byte{}
	for _, f := range []string{
		"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/firstexample.xml",
		"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG007.xml",
		"1edtech-qti-examples/QTI3_BeginnersGuide_Examples/items/BG010.xml",
		"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-inline-choice.xml",
		"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-match.xml",
		"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3-order.xml",
		"1edtech-qti-examples/QTI3_BPIG_Examples/items/QTI3multiplechoice2.xml",
		"1edtech-qti-examples/QTI3_BPIG_Examples/items/RTL_Hebrew.xml",
		"pie-qti/qti3-choice-multiple.xml",
		"pie-qti/qti3-order-interaction.xml",
		"pie-qti/qti3-text-entry.xml",
		"php-qti3/match-correct-template.xml",
	} {
		docs[f] = read(t, "outside/"+f)
	}
	pkg, err := qti.Import(packageOfItems(t, docs))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[item.Kind]int{}
	for _, it := range pkg.Items {
		kinds[it.Kind]++
	}
	if len(pkg.Items) != 12 || len(kinds) != 7 {
		t.Errorf("%d items of %d kinds: %v", len(pkg.Items), len(kinds), kinds)
	}
	roundTrip(t, pkg)
}

// TestOutsideSums: the outside examples are the bytes their SHA256SUMS
// pin, and nothing else is there.
func TestOutsideSums(t *testing.T) {
	sums := read(t, "outside/SHA256SUMS")
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(sums))
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("bad line %q", sc.Text())
		}
		got := sha256.Sum256(read(t, "outside/"+name))
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s: SHA-256 differs from SHA256SUMS", name)
		}
		listed[name] = true
	}
	err := filepath.WalkDir(filepath.Join("testdata", "outside"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join("testdata", "outside"), p)
		if rel = filepath.ToSlash(rel); rel != "SHA256SUMS" && rel != "README.md" && !listed[rel] {
			t.Errorf("%s is not in SHA256SUMS", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
