package qti_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"testing"

	"github.com/attesta/attesta/qti"
)

// choiceItem is a valid single-choice item; its lines are numbered so that
// the cases below can break one and say where. Line 1 is the declaration,
// 2 the root, 3–7 the response declaration, 8 the item body, 9 the
// interaction, 10 the prompt, 11–12 the choices, 15 the processing.
const choiceItem = `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="Q1" title="Q" time-dependent="false" xml:lang="it-IT">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="identifier">
    <qti-correct-response>
      <qti-value>A</qti-value>
    </qti-correct-response>
  </qti-response-declaration>
  <qti-item-body>
    <qti-choice-interaction response-identifier="RESPONSE" max-choices="1">
      <qti-prompt>Quale?</qti-prompt>
      <qti-simple-choice identifier="A">Uno</qti-simple-choice>
      <qti-simple-choice identifier="B">Due</qti-simple-choice>
    </qti-choice-interaction>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>
`

// edit returns choiceItem with old replaced by new, once.
func edit(t *testing.T, old, new string) []byte {
	t.Helper()
	if !strings.Contains(choiceItem, old) {
		t.Fatalf("%q is not in the item", old)
	}
	return []byte(strings.Replace(choiceItem, old, new, 1))
}

// problems imports data and returns its problems as "file line:col
// element key".
func problems(t *testing.T, data []byte) []string {
	t.Helper()
	pkg, err := qti.Import(data)
	if err == nil {
		t.Fatalf("imported %d items, %d tests; want it refused", len(pkg.Items), len(pkg.Tests))
	}
	var out []string
	for _, p := range problemsOf(t, err) {
		out = append(out, p.File+" "+where(p))
	}
	return out
}

// TestImportItemProblems: a broken item is refused with each problem at
// its place (the start tag of the element at fault; for malformed XML,
// where the parser stopped), and nothing of the package is returned.
func TestImportItemProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  func(t *testing.T) []byte
		want []string
	}{
		{"malformed XML", func(t *testing.T) []byte { return edit(t, "</qti-prompt>", "</qti-promt>") },
			[]string{"items/q.xml 10:37  err.qti.xml.syntax"}},
		{"an entity XML does not define", func(t *testing.T) []byte { return edit(t, "Uno", "Uno&nbsp;") },
			[]string{"items/q.xml 11:50  err.qti.xml.syntax"}},
		{"a DTD", func(t *testing.T) []byte {
			return edit(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>")
		}, []string{"items/q.xml 2:1  err.qti.xml.dtd"}},
		{"another encoding", func(t *testing.T) []byte { return edit(t, `encoding="UTF-8"`, `encoding="ISO-8859-1"`) },
			[]string{"items/q.xml 1:44  err.qti.xml.syntax"}},
		{"QTI 2", func(t *testing.T) []byte {
			return []byte(`<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="Q1"/>`)
		}, []string{"items/q.xml 1:1 assessmentItem err.qti.xml.qti2"}},
		{"another namespace", func(t *testing.T) []byte {
			return edit(t, `xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"`, `xmlns="http://example.org/qti"`)
		}, []string{"items/q.xml 2:1 qti-assessment-item err.qti.xml.namespace"}},
		{"an identifier attesta does not take", func(t *testing.T) []byte { return edit(t, `identifier="Q1"`, `identifier="1 Q"`) },
			[]string{"items/q.xml 2:1 qti-assessment-item err.qti.identifier"}},
		{"a cardinality not of the kind", func(t *testing.T) []byte { return edit(t, `cardinality="single"`, `cardinality="ordered"`) },
			[]string{"items/q.xml 3:3 qti-response-declaration err.qti.item.cardinality"}},
		{"a base type not of the kind", func(t *testing.T) []byte { return edit(t, `base-type="identifier"`, `base-type="string"`) },
			[]string{"items/q.xml 3:3 qti-response-declaration err.qti.item.basetype"}},
		{"a correct response not a choice", func(t *testing.T) []byte { return edit(t, "<qti-value>A</qti-value>", "<qti-value>Z</qti-value>") },
			[]string{"items/q.xml 5:7 qti-value err.qti.item.value"}},
		{"two correct values of a single response", func(t *testing.T) []byte {
			return edit(t, "<qti-value>A</qti-value>", "<qti-value>A</qti-value><qti-value>B</qti-value>")
		}, []string{"items/q.xml 4:5 qti-correct-response err.qti.item.correct.many"}},
		{"a map key not a choice", func(t *testing.T) []byte {
			return edit(t, "    </qti-correct-response>\n", "    </qti-correct-response><qti-mapping><qti-map-entry map-key=\"Z\" mapped-value=\"1\"/></qti-mapping>\n")
		}, []string{"items/q.xml 6:41 qti-map-entry err.qti.item.value"}},
		{"a point that is not a number", func(t *testing.T) []byte {
			return edit(t, "    </qti-correct-response>\n", "    </qti-correct-response><qti-mapping><qti-map-entry map-key=\"A\" mapped-value=\"NaN\"/></qti-mapping>\n")
		}, []string{"items/q.xml 6:41 qti-map-entry err.qti.attr.value"}},
		{"an interaction answering another response", func(t *testing.T) []byte {
			return edit(t, `response-identifier="RESPONSE"`, `response-identifier="OTHER"`)
		}, []string{"items/q.xml 9:5 qti-choice-interaction err.qti.item.response"}},
		{"a single choice that lets two be chosen", func(t *testing.T) []byte { return edit(t, `max-choices="1"`, `max-choices="2"`) },
			[]string{"items/q.xml 9:5 qti-choice-interaction err.qti.unsupported.attribute"}},
		{"a choice without identifier", func(t *testing.T) []byte { return edit(t, ` identifier="B"`, ``) },
			[]string{"items/q.xml 12:7 qti-simple-choice err.qti.attr.required"}},
		{"text after the interaction", func(t *testing.T) []byte {
			return edit(t, "    </qti-choice-interaction>\n", "    </qti-choice-interaction>\n    <p>Ora <em>giustifica</em>.</p>\n")
		}, []string{"items/q.xml 14:8 p err.qti.item.after"}},
		{"a second interaction", func(t *testing.T) []byte {
			return edit(t, "  </qti-item-body>", "    <p><qti-text-entry-interaction response-identifier=\"RESPONSE\"/></p>\n  </qti-item-body>")
		}, []string{"items/q.xml 14:8 qti-text-entry-interaction err.qti.item.interaction.many"}},
		{"an image in a choice, a table in the body", func(t *testing.T) []byte {
			b := edit(t, ">Due<", `><img src="due.png" alt="2"/><`)
			return bytes.Replace(b, []byte("    <qti-choice-interaction"), []byte("    <table><tr><td>1</td></tr></table>\n    <qti-choice-interaction"), 1)
		}, []string{"items/q.xml 9:5 table err.qti.unsupported.element", "items/q.xml 13:41 img err.qti.unsupported.media"}},
		{"no interaction, an image", func(t *testing.T) []byte {
			b := choiceItem[:strings.Index(choiceItem, "    <qti-choice-interaction")] + "    <p><img src=\"a.png\"/></p>\n" + choiceItem[strings.Index(choiceItem, "  </qti-item-body>"):]
			return []byte(b)
		}, []string{"items/q.xml 8:3 qti-item-body err.qti.item.interaction.none", "items/q.xml 9:8 img err.qti.unsupported.media"}},
		{"no response processing", func(t *testing.T) []byte {
			return edit(t, `  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>`+"\n", "")
		}, []string{"items/q.xml 2:1 qti-assessment-item err.qti.item.processing.none"}},
		{"another template", func(t *testing.T) []byte { return edit(t, "match_correct.xml", "map_response_point.xml") },
			[]string{"items/q.xml 15:3 qti-response-processing err.qti.unsupported.attribute"}},
		{"processing of its own", func(t *testing.T) []byte {
			return edit(t, `<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>`,
				`<qti-response-processing><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">1</qti-base-value></qti-set-outcome-value></qti-response-processing>`)
		}, []string{"items/q.xml 15:3 qti-response-processing err.qti.unsupported.processing"}},
		{"nested too deep", func(t *testing.T) []byte {
			return edit(t, "<qti-prompt>Quale?</qti-prompt>", "<qti-prompt>"+strings.Repeat("<span>", qti.MaxDepth)+"Quale?"+strings.Repeat("</span>", qti.MaxDepth)+"</qti-prompt>")
		}, []string{fmt.Sprintf("items/q.xml 10:%d  err.qti.xml.depth", 19+6*(qti.MaxDepth-4))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, packageOfItems(t, map[string][]byte{"items/q.xml": tc.doc(t)}))
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestImportCollectsAll: the problems of every file are said, in the
// order of the files, and the valid items are not returned either.
func TestImportCollectsAll(t *testing.T) {
	good := []byte(choiceItem)
	twin := []byte(choiceItem) // the same identifier as good
	bad := []byte(strings.Replace(strings.Replace(choiceItem, `identifier="Q1"`, `identifier="Q2"`, 1), "<qti-value>A</qti-value>", "<qti-value>Z</qti-value>", 1))
	hotspot := []byte(strings.Replace(strings.Replace(choiceItem, `identifier="Q1"`, `identifier="Q3"`, 1), "qti-choice-interaction", "qti-hotspot-interaction", 2))
	got := problems(t, packageOfItems(t, map[string][]byte{"a.xml": good, "b.xml": bad, "c.xml": hotspot, "d.xml": twin}))
	want := []string{
		"b.xml 5:7 qti-value err.qti.item.value",
		"c.xml 9:5 qti-hotspot-interaction err.qti.unsupported.interaction",
		"imsmanifest.xml 9:5 resource err.qti.identifier.twice",
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %q\nwant %q", got, want)
	}
}

// rawZip writes entries with the headers given, their data stored as is
// (already deflated when the method says so).
func rawZip(t *testing.T, entries ...*zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateRaw(&e.h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(e.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type zipEntry struct {
	h    zip.FileHeader
	data []byte
}

// deflated is data deflated, with a header that says size (the truth, or
// a lie).
func deflated(t *testing.T, name string, data []byte, size uint64) *zipEntry {
	t.Helper()
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	fw.Close()
	return &zipEntry{zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(data),
		CompressedSize64: uint64(buf.Len()), UncompressedSize64: size}, buf.Bytes()}
}

// TestImportPackageProblems: what is wrong with the zip or the manifest,
// or too large, is refused before anything else is read.
func TestImportPackageProblems(t *testing.T) {
	manifest := manifestOf("items/q.xml")
	bomb := bytes.Repeat([]byte{' '}, qti.MaxFileSize+1) // deflates to a few KB
	many := map[string][]byte{}
	for i := range qti.MaxFiles + 1 {
		many[fmt.Sprintf("f%05d", i)] = nil
	}
	for _, tc := range []struct {
		name string
		data func(t *testing.T) []byte
		want []string
	}{
		{"not a zip", func(t *testing.T) []byte { return []byte("PK not really") }, []string{" 0:0  err.qti.zip.invalid"}},
		{"too large a package", func(t *testing.T) []byte { return make([]byte, qti.MaxPackageSize+1) }, []string{" 0:0  err.qti.zip.size"}},
		{"too many files", func(t *testing.T) []byte { return zipOf(t, many) }, []string{" 0:0  err.qti.zip.files"}},
		{"no manifest", func(t *testing.T) []byte { return zipOf(t, map[string][]byte{"items/q.xml": []byte(choiceItem)}) },
			[]string{"imsmanifest.xml 0:0  err.qti.file.missing"}},
		{"a file the manifest names is missing", func(t *testing.T) []byte { return zipOf(t, map[string][]byte{qti.Manifest: manifest}) },
			[]string{"items/q.xml 0:0  err.qti.file.missing"}},
		{"names that leave the package", func(t *testing.T) []byte {
			return zipOf(t, map[string][]byte{qti.Manifest: manifest, "items/q.xml": []byte(choiceItem), "../evil.xml": nil, "/abs.xml": nil, `a\b.xml`: nil})
		}, []string{"../evil.xml 0:0  err.qti.zip.name", "/abs.xml 0:0  err.qti.zip.name", `a\b.xml 0:0  err.qti.zip.name`}},
		{"two files of one name", func(t *testing.T) []byte {
			return rawZip(t, deflated(t, qti.Manifest, manifest, uint64(len(manifest))), deflated(t, qti.Manifest, manifest, uint64(len(manifest))))
		}, []string{"imsmanifest.xml 0:0  err.qti.zip.twice"}},
		{"a zip bomb that says its size", func(t *testing.T) []byte {
			return rawZip(t, deflated(t, qti.Manifest, manifest, uint64(len(manifest))), deflated(t, "big.bin", []byte("x"), 1<<40))
		}, []string{" 0:0  err.qti.zip.total"}},
		{"a manifest larger than a file may be", func(t *testing.T) []byte {
			return rawZip(t, deflated(t, qti.Manifest, bomb, uint64(len(bomb))))
		}, []string{"imsmanifest.xml 0:0  err.qti.zip.filesize"}},
		// archive/zip stops reading past the size the directory says.
		{"a zip bomb that lies about its size", func(t *testing.T) []byte {
			return rawZip(t, deflated(t, qti.Manifest, bomb, 100))
		}, []string{"imsmanifest.xml 0:0  err.qti.zip.invalid"}},
		{"a DTD in the manifest", func(t *testing.T) []byte {
			return zipOf(t, map[string][]byte{qti.Manifest: append([]byte(`<!DOCTYPE manifest [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`+"\n"), manifest...)})
		}, []string{"imsmanifest.xml 1:1  err.qti.xml.dtd"}},
		{"a manifest that is not one", func(t *testing.T) []byte {
			return zipOf(t, map[string][]byte{qti.Manifest: []byte("<package/>")})
		}, []string{"imsmanifest.xml 1:1 package err.qti.xml.root"}},
		{"resources attesta does not read", func(t *testing.T) []byte {
			m := strings.Replace(string(manifest), "  </resources>", `    <resource identifier="old" type="imsqti_item_xmlv2p1" href="old.xml"><file href="old.xml"/></resource>
    <resource identifier="stim" type="imsqti_stimulus_xmlv3p0" href="s.xml"><file href="s.xml"/></resource>
    <resource identifier="out" type="imsqti_item_xmlv3p0" href="../out.xml"><file href="../out.xml"/></resource>
    <resource identifier="img" type="webcontent" href="a.png"><file href="a.png"/></resource>
  </resources>`, 1)
			return zipOf(t, map[string][]byte{qti.Manifest: []byte(m), "items/q.xml": []byte(choiceItem)})
		}, []string{"imsmanifest.xml 7:5 resource err.qti.manifest.version", "imsmanifest.xml 8:5 resource err.qti.manifest.type",
			"imsmanifest.xml 9:5 resource err.qti.manifest.href"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := problems(t, tc.data(t))
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// testDoc is a valid test of the item of choiceItem; line 3 is the part,
// 4 the section, 5 the selection, 7 the item's reference.
const testDoc = `<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-test xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="T1" title="T">
  <qti-test-part identifier="P" navigation-mode="nonlinear" submission-mode="individual">
    <qti-assessment-section identifier="S1" title="S" visible="true">
      <qti-selection select="1"/>
      <qti-ordering shuffle="true"/>
      <qti-assessment-item-ref identifier="r1" href="../items/q.xml"/>
    </qti-assessment-section>
  </qti-test-part>
</qti-assessment-test>
`

// testPackage is a package of choiceItem and test, whose manifest
// resources' metadata are itemMeta and testMeta.
func testPackage(t *testing.T, test, itemMeta, testMeta string) []byte {
	t.Helper()
	m := `<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" xmlns:imsmd="http://ltsc.ieee.org/xsd/LOM" xmlns:attesta="https://w3id.org/attesta/qti/v1" identifier="m">
  <metadata><schema>QTI Package</schema><schemaversion>3.0.0</schemaversion></metadata>
  <organizations/>
  <resources>
    <resource identifier="i" type="imsqti_item_xmlv3p0" href="items/q.xml"><metadata><imsmd:lom>` + itemMeta + `</imsmd:lom></metadata><file href="items/q.xml"/></resource>
    <resource identifier="t" type="imsqti_test_xmlv3p0" href="tests/t.xml"><metadata><imsmd:lom>` + testMeta + `</imsmd:lom></metadata><file href="tests/t.xml"/></resource>
  </resources>
</manifest>
`
	return zipOf(t, map[string][]byte{qti.Manifest: []byte(m), "items/q.xml": []byte(choiceItem), "tests/t.xml": []byte(test)})
}

// TestImportTest: a test's blueprint reads back; what attesta's tests do
// not do is refused by name.
func TestImportTest(t *testing.T) {
	meta := `<attesta:item version="2" status="approved" sector="meccatronica" standard="1" competence="C1" dimension="knowledge" difficulty="easy"/>`
	pkg, err := qti.Import(testPackage(t, testDoc, meta, `<attesta:test><attesta:section identifier="S1" competence="C1" dimension="knowledge"/></attesta:test>`))
	if err != nil {
		t.Fatal(err)
	}
	want := []qti.Test{{ID: "T1", Title: "T", Sections: []qti.Section{{ID: "S1", Title: "S", Select: 1, Shuffle: true, Competence: "C1", Dimension: "knowledge", Items: []string{"Q1"}}}}}
	if !slices.EqualFunc(pkg.Tests, want, func(a, b qti.Test) bool { return fmt.Sprint(a) == fmt.Sprint(b) }) {
		t.Errorf("tests %+v, want %+v", pkg.Tests, want)
	}
	if it := pkg.Items[0]; it.Version != 2 || it.Status != "approved" || it.Sector != "meccatronica" || it.Standard != 1 || it.Competence != "C1" || it.Lang != "it" {
		t.Errorf("item's tags %+v", it)
	}
	roundTrip(t, pkg)

	for _, tc := range []struct {
		name, old, new string
		itemMeta       string
		testMeta       string
		want           []string
	}{
		{name: "a linear test", old: `navigation-mode="nonlinear"`, new: `navigation-mode="linear"`,
			want: []string{"tests/t.xml 3:3 qti-test-part err.qti.unsupported.attribute"}},
		{name: "drawing with replacement", old: `<qti-selection select="1"/>`, new: `<qti-selection select="1" with-replacement="true"/>`,
			want: []string{"tests/t.xml 5:7 qti-selection err.qti.unsupported.attribute"}},
		{name: "drawing more than there is", old: `select="1"`, new: `select="2"`,
			want: []string{"tests/t.xml 5:7 qti-selection err.qti.test.select"}},
		{name: "an item not in the package", old: `href="../items/q.xml"`, new: `href="../items/r.xml"`,
			want: []string{"tests/t.xml 7:7 qti-assessment-item-ref err.qti.test.ref"}},
		{name: "an item twice", old: `<qti-assessment-item-ref identifier="r1" href="../items/q.xml"/>`,
			new:  `<qti-assessment-item-ref identifier="r1" href="../items/q.xml"/><qti-assessment-item-ref identifier="r2" href="../items/q.xml"/>`,
			want: []string{"tests/t.xml 7:71 qti-assessment-item-ref err.qti.test.twice"}},
		{name: "a section in a section", old: `<qti-ordering shuffle="true"/>`, new: `<qti-assessment-section identifier="S2" title="" visible="true"/>`,
			want: []string{"tests/t.xml 6:7 qti-assessment-section err.qti.unsupported.test"}},
		{name: "a section's own time", old: `<qti-ordering shuffle="true"/>`, new: `<qti-time-limits max-time="60"/>`,
			want: []string{"tests/t.xml 6:7 qti-time-limits err.qti.unsupported.timelimits"}},
		{name: "outcome processing", old: "</qti-test-part>", new: "</qti-test-part><qti-outcome-processing/>",
			want: []string{"tests/t.xml 9:19 qti-outcome-processing err.qti.unsupported.test"}},
		{name: "two parts", old: "</qti-test-part>", new: `</qti-test-part><qti-test-part identifier="P2" navigation-mode="nonlinear" submission-mode="individual"/>`,
			want: []string{"tests/t.xml 9:19 qti-test-part err.qti.test.parts"}},
		{name: "a time limit not in seconds", old: "  <qti-test-part", new: "  <qti-time-limits max-time=\"1.5\"/><qti-test-part",
			want: []string{"tests/t.xml 3:3 qti-time-limits err.qti.attr.value"}},
		{name: "metadata of a section that is not there", testMeta: `<attesta:test><attesta:section identifier="S9"/></attesta:test>`,
			want: []string{"imsmanifest.xml 7:111 section err.qti.meta.section"}},
		{name: "a status attesta does not have", itemMeta: `<attesta:item version="1" status="published"/>`,
			want: []string{"imsmanifest.xml 6:97 item err.qti.attr.value"}},
		{name: "no version", itemMeta: `<attesta:item status="draft"/>`,
			want: []string{"imsmanifest.xml 6:97 item err.qti.attr.required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := testDoc
			if tc.old != "" {
				if !strings.Contains(doc, tc.old) {
					t.Fatalf("%q is not in the test", tc.old)
				}
				doc = strings.Replace(doc, tc.old, tc.new, 1)
			}
			got := problems(t, testPackage(t, doc, tc.itemMeta, tc.testMeta))
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// hostile is an item on one line with n images in its body: each a
// problem, all on one long line.
func hostile(n int) []byte {
	one := strings.ReplaceAll(choiceItem, "\n", " ")
	return []byte(strings.Replace(one, "<qti-item-body>", "<qti-item-body>"+strings.Repeat(`<img src="x"/>`, n), 1))
}

// TestImportSaysAtMostSoMany: past a thousand problems the rest are
// counted, not said.
func TestImportSaysAtMostSoMany(t *testing.T) {
	_, err := qti.Import(packageOfItems(t, map[string][]byte{"q.xml": hostile(5000)}))
	ps := problemsOf(t, err)
	if len(ps) != 1001 || ps[1000].Key != "err.qti.problems.more" || ps[1000].EN != "and 4000 more problems" {
		t.Errorf("%d problems, the last %v", len(ps), ps[len(ps)-1])
	}
	if ps[999].Line != 1 || ps[999].Column < 14000 {
		t.Errorf("the 1000th problem is at %d:%d", ps[999].Line, ps[999].Column)
	}
}

// BenchmarkImportLongLine reads an item of 100,000 elements on one line:
// its time grows with the size, not with its square.
func BenchmarkImportLongLine(b *testing.B) {
	data := packageOfItems(b, map[string][]byte{"q.xml": hostile(100000)})
	for b.Loop() {
		qti.Import(data)
	}
}

// BenchmarkImportGolden reads the golden package.
func BenchmarkImportGolden(b *testing.B) {
	data, err := qti.Export(goldenItems(), goldenTests())
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := qti.Import(data); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRichText: the XHTML of an item body is read as plain text —
// paragraphs, lines, lists, inline elements — and goes round the trip.
func TestRichText(t *testing.T) {
	doc := edit(t, "    <qti-choice-interaction", `    <div><p>Leggi   il <strong>testo</strong>:<br/>H<sub>2</sub>O e x<sup>2</sup>.</p>
    <blockquote><p>Una citazione,
      su due righe del sorgente.</p></blockquote>
    <ul><li>primo</li> <li><em>secondo</em></li></ul><ol><li>uno</li></ol></div>
    <qti-choice-interaction`)
	doc = []byte(strings.Replace(string(doc), ">Uno<", "><p>Uno</p><p>bis\u00a0</p><", 1))
	pkg, err := qti.Import(packageOfItems(t, map[string][]byte{"q.xml": doc}))
	if err != nil {
		t.Fatal(err)
	}
	it := pkg.Items[0]
	want := "Leggi il testo:\nH2O e x2.\n\nUna citazione, su due righe del sorgente.\n\n- primo\n\n- secondo\n\n1. uno\n\nQuale?"
	if it.Prompt != want {
		t.Errorf("prompt\n got %q\nwant %q", it.Prompt, want)
	}
	if it.Choices[0].Text != "Uno\n\nbis\u00a0" {
		t.Errorf("choice %q", it.Choices[0].Text)
	}
	if it.Lang != "it" || it.Kind != "single_choice" {
		t.Errorf("lang %q kind %q", it.Lang, it.Kind)
	}
	roundTrip(t, pkg)
}

// TestWrittenOutTemplates: a response processing that is a template
// written out in full is read as the template, its numbers as numbers.
func TestWrittenOutTemplates(t *testing.T) {
	const named = `<qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>`
	for name, tc := range map[string]struct {
		rp   string
		want string
	}{
		"match_correct": {`<qti-response-processing>
    <!-- the template -->
    <qti-response-condition><qti-response-if><qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float"> 1.0 </qti-base-value></qti-set-outcome-value></qti-response-if>
    <qti-response-else><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0.0</qti-base-value></qti-set-outcome-value></qti-response-else></qti-response-condition>
  </qti-response-processing>`, "match_correct"},
		"map_response": {`<qti-response-processing><qti-response-condition><qti-response-if><qti-is-null><qti-variable identifier="RESPONSE"/></qti-is-null>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value></qti-response-if>
    <qti-response-else><qti-set-outcome-value identifier="SCORE"><qti-map-response identifier="RESPONSE"/></qti-set-outcome-value></qti-response-else></qti-response-condition></qti-response-processing>`, "map_response"},
		"an older URI": {`<qti-response-processing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>`, "map_response"},
	} {
		t.Run(name, func(t *testing.T) {
			pkg, err := qti.Import(packageOfItems(t, map[string][]byte{"q.xml": edit(t, named, tc.rp)}))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(pkg.Items[0].Scoring); got != tc.want {
				t.Errorf("scoring %s, want %s", got, tc.want)
			}
		})
	}
	// One point more for the correct response is another processing.
	_, err := qti.Import(packageOfItems(t, map[string][]byte{"q.xml": edit(t, named, `<qti-response-processing><qti-response-condition><qti-response-if><qti-match><qti-variable identifier="RESPONSE"/><qti-correct identifier="RESPONSE"/></qti-match>
    <qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">2</qti-base-value></qti-set-outcome-value></qti-response-if>
    <qti-response-else><qti-set-outcome-value identifier="SCORE"><qti-base-value base-type="float">0</qti-base-value></qti-set-outcome-value></qti-response-else></qti-response-condition></qti-response-processing>`)}))
	if ps := problemsOf(t, err); len(ps) != 1 || ps[0].Key != "err.qti.unsupported.processing" {
		t.Errorf("problems %v", ps)
	}
}
