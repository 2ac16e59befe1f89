package browsertest_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/attesta/attesta/internal/browsertest"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/i18n"
	"github.com/attesta/attesta/internal/testserver"
)

// verbs splits a catalogue's message into its literal parts.
var verbs = regexp.MustCompile(`%(?:%|[-+# 0]*(?:[0-9]+|\*)?(?:\.(?:[0-9]+|\*)?)?[a-zA-Z])`)

// italianOnly returns the texts of the Italian catalogue that an English
// page must not show: the literal parts, longer than 12 characters, of
// every message whose Italian and English texts differ, unless the
// English catalogue says the same somewhere (a name of the programme, a
// code).
func italianOnly() []string {
	var english strings.Builder
	for _, k := range i18n.Keys("en") {
		english.WriteString(space(i18n.T("en", k)))
		english.WriteString("\n")
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range i18n.Keys("it") {
		it, en := i18n.T("it", k), i18n.T("en", k)
		if it == en {
			continue
		}
		for _, part := range verbs.Split(it, -1) {
			part = space(part)
			if utf8.RuneCountInString(part) <= 12 || seen[part] || strings.Contains(english.String(), part) {
				continue
			}
			seen[part] = true
			out = append(out, part)
		}
	}
	return out
}

// space collapses white space and trims it.
func space(s string) string { return strings.Join(strings.Fields(s), " ") }

// italianDate matches a date as an Italian reader writes it, "5 ottobre
// 2026", "1° gennaio 2027", or a time of day "alle 11:00:00".
var italianDate = regexp.MustCompile(`\b\d{1,2}°? (?:` + months("it") + `) \d{4}\b| alle \d{2}:\d{2}`)

// englishDate matches one as an English reader writes it: "5 October 2026".
var englishDate = regexp.MustCompile(`\b\d{1,2} (?:` + months("en") + `) \d{4}\b`)

// italianHours matches hours written with a decimal comma: "7,5 h".
var italianHours = regexp.MustCompile(`\b\d+,\d+ h\b`)

func months(lang string) string {
	var m []string
	for i := 1; i <= 12; i++ {
		m = append(m, i18n.T(lang, "month."+strconv.Itoa(i)))
	}
	return strings.Join(m, "|")
}

// pageWords returns what a person reads or hears of the current page: its
// title, its text (hidden parts too, such as closed details and text only
// for screen readers) and its labels in attributes, without scripts and
// without the parts marked as in another language (the language switch's
// "Italiano").
const pageWords = `(() => {
	const other = n => { const e = n.nodeType === 1 ? n : n.parentElement; const l = e && e.closest('[lang]'); return l && l.lang !== document.documentElement.lang; };
	const out = [document.title];
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode());) {
		if (n.parentElement.closest('script, style, template') || other(n)) continue;
		out.push(n.textContent);
	}
	for (const e of document.querySelectorAll('[aria-label], [title], [placeholder], [alt], input[type=submit][value], input[type=button][value]')) {
		if (other(e)) continue;
		for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'value']) {
			if (e.hasAttribute(a) && (a !== 'value' || e.type === 'submit' || e.type === 'button')) out.push(e.getAttribute(a));
		}
	}
	return out.map(s => s.replace(/\s+/g, ' ').trim()).filter(s => s).join('\n');
})()`

// english checks the current page as an English reader gets it: <html
// lang="en">, each element of want showing its English text, none of the
// Italian-only texts of the catalogue, dates and hours written the
// English way; and axe-core finds nothing. It returns the page's words.
// What people wrote (a title, a note, a name) stays as they wrote it.
func english(t *testing.T, ctx context.Context, leaks []string, want map[string]string) string {
	t.Helper()
	where := location(t, ctx)
	if lang := attr(t, ctx, "html", "lang"); lang != "en" {
		t.Errorf("%s: html lang %q, want en", where, lang)
	}
	for sel, key := range want {
		if count(t, ctx, sel) == 0 {
			t.Errorf("%s: no %s", where, sel)
			continue
		}
		// A message with verbs: its literal parts, in its place.
		got, w := space(text(t, ctx, sel)), space(i18n.T("en", key))
		parts := verbs.Split(w, -1)
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		if !regexp.MustCompile(`^` + strings.Join(parts, `.+`) + `$`).MatchString(got) {
			t.Errorf("%s: %s says %q, want %q", where, sel, got, w)
		}
	}
	words, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageWords))
	if err != nil {
		t.Fatal(err)
	}
	flat := space(words)
	// The organisations' names are theirs, in Italian in every language.
	for _, o := range demo.Organisations {
		flat = strings.ReplaceAll(flat, o.Name, "…")
	}
	for _, it := range leaks {
		if strings.Contains(flat, it) {
			t.Errorf("%s: Italian text in the English page: %q", where, it)
		}
	}
	for _, re := range []*regexp.Regexp{italianDate, italianHours} {
		if m := re.FindAllString(flat, 3); m != nil {
			t.Errorf("%s: written the Italian way in the English page: %q", where, m)
		}
	}
	clean(t, ctx)
	return flat
}

// TestProcessInEnglish: the pages of the certification process, visited
// in English after choosing it with the header's language switch, by the
// roles that use them: the school tutor (dashboard, experiences, an
// experience, the design form and its refusal, a dossier with the notes
// form), the company tutor (the observation sheet's form and its refusal,
// a dossier's files and a refused file), the Chamber (what a dossier
// lacks, a locked dossier) and the student (her dossier). Every page has
// <html lang="en">, its headings and labels in English, none of the
// Italian catalogue's texts, dates such as "5 October 2026" and none such
// as "5 ottobre 2026"; axe-core finds nothing on any.
func TestProcessInEnglish(t *testing.T) {
	ts := testserver.Start(t)
	ctx := browsertest.New(t)
	leaks := italianOnly()
	if len(leaks) < 500 {
		t.Fatalf("only %d Italian-only texts in the catalogue", len(leaks))
	}

	// The school tutor chooses English in the header, on the dashboard.
	signIn(t, ctx, ts.URL, "docente@feltrinelli.example", demo.Password, dashboard)
	asRole(t, ctx, "mitf01000a", "school_tutor")
	do(t, ctx, chromedp.Click(chromedp.CSS(`header nav a[hreflang="en"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] `+dashboard)))
	english(t, ctx, leaks, map[string]string{"#tasks-title": "dashboard.tasks", `.nav-wide a[href="/experiences"]`: "experiences.title"})
	browsertest.Screenshot(t, ctx, "en-1-dashboard")

	do(t, ctx, chromedp.Click(chromedp.CSS(`.nav-wide a[href="/experiences"]`)), chromedp.WaitVisible(chromedp.CSS("#experiences")))
	list := english(t, ctx, leaks, map[string]string{"main h1": "experiences.title"})
	if !strings.Contains(list, i18n.T("en", "experience.state.in_progress")) || !strings.Contains(list, i18n.T("en", "experience.state.draft")) {
		t.Errorf("the list's states: %q", text(t, ctx, "#experiences"))
	}

	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Progettazione CAD di attrezzature")), chromedp.WaitVisible(chromedp.CSS("#student-files")))
	exp := english(t, ctx, leaks, map[string]string{"#experience-state": "experience.state.in_progress", "#files-title": "experience.files",
		"#revisions-title": "experience.revisions", "#hours-title": "experience.hours", "#planned-title": "experience.planned"})
	if !englishDate.MatchString(exp) {
		t.Errorf("the experience's page has no date written the English way: %q", exp)
	}
	browsertest.Screenshot(t, ctx, "en-2-experience")
	esposito := attr(t, ctx, `#student-files li:first-child a[href^="/dossiers/"]`, "href")
	espositoSheet := attr(t, ctx, `#student-files li:first-child a[href^="/sheets/"]`, "href")
	marinoSheet := attr(t, ctx, `#student-files li:nth-child(2) a[href^="/sheets/"]`, "href")
	marino := attr(t, ctx, `#student-files li:nth-child(2) a[href^="/dossiers/"]`, "href")

	// The design form, and a refusal.
	do(t, ctx, chromedp.Navigate(ts.URL+"/experiences/new"), chromedp.WaitVisible(chromedp.CSS("#choices")))
	english(t, ctx, leaks, nil)
	do(t, ctx,
		chromedp.SetValue(chromedp.CSS("#choice-company"), optionValue(t, ctx, "#choice-company", "Meccanica Lombarda")),
		chromedp.SetValue(chromedp.CSS("#choice-class"), optionValue(t, ctx, "#choice-class", "4A MEC")),
		chromedp.SetValue(chromedp.CSS("#choice-area"), "meccatronica|progettazione"),
		chromedp.Click(chromedp.CSS("#choices button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#design")))
	english(t, ctx, leaks, nil)
	browsertest.Screenshot(t, ctx, "en-3-design")
	do(t, ctx, chromedp.Click(chromedp.CSS("#design button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#design-errors")))
	english(t, ctx, leaks, nil)
	if msg := text(t, ctx, "#design-title-error"); msg == "" {
		t.Error("the missing title is not said beside the field")
	}
	browsertest.Screenshot(t, ctx, "en-4-design-refused")

	// The draft experience's page offers to edit its design.
	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Progettazione di un banco prova")), chromedp.WaitVisible(chromedp.CSS("#edit")))
	english(t, ctx, leaks, map[string]string{"#experience-state": "experience.state.draft", "#edit": "experience.edit.title"})
	do(t, ctx, chromedp.Click(chromedp.CSS("#edit")), chromedp.WaitVisible(chromedp.CSS("#design")))
	english(t, ctx, leaks, nil)

	// A countersigned sheet, and a dossier with the school's notes form.
	do(t, ctx, chromedp.Navigate(ts.URL+espositoSheet), chromedp.WaitVisible(chromedp.CSS("#sheet-state")))
	english(t, ctx, leaks, map[string]string{"#sheet-state": "observation.state.countersigned", "#versions-title": "sheet.versions"})
	do(t, ctx, chromedp.Navigate(ts.URL+esposito), chromedp.WaitVisible(chromedp.CSS("#dossier-notes-form")))
	doss := english(t, ctx, leaks, map[string]string{"#missing-title": "dossier.missing", "#notes-title": "dossier.notes.title", "#files-title": "dossier.files"})
	if m := text(t, ctx, "#dossier-missing"); !strings.Contains(m, i18n.T("en", "err.dossier.missing.planned", "16", 200)) {
		t.Errorf("what the dossier lacks: %q", m)
	}
	if !strings.Contains(doss, "5 October 2026") {
		t.Errorf("the dossier's records: %q", text(t, ctx, "#dossier-records"))
	}
	browsertest.Screenshot(t, ctx, "en-5-dossier-school")
	signOut(t, ctx)

	// The company tutor: English is remembered from the sign-in on.
	signIn(t, ctx, ts.URL, "tutor@meccanica-lombarda.example", demo.Password, `html[lang="en"] `+dashboard)
	english(t, ctx, leaks, map[string]string{"#tasks-title": "dashboard.tasks"})
	do(t, ctx, chromedp.Navigate(ts.URL+marinoSheet), chromedp.WaitVisible(chromedp.CSS("#sheet-form")))
	english(t, ctx, leaks, map[string]string{"#sheet-state": "observation.state.draft", "#sheet-save": "sheet.save"})
	browsertest.Screenshot(t, ctx, "en-6-sheet")
	// A period before the experience: refused, in English.
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#sheet-form fieldset.sheet-row').id.slice(4)`))
	if err != nil || row == "" {
		t.Fatalf("the sheet's first row: %v", err)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#row-"+row+" summary")), chromedp.WaitVisible(chromedp.CSS("#from-"+row)),
		chromedp.SetValue(chromedp.CSS("#from-"+row), "2026-01-12"),
		chromedp.Click(chromedp.CSS("#sheet-save")), chromedp.WaitVisible(chromedp.CSS("#sheet-errors")))
	english(t, ctx, leaks, nil)
	if msg := text(t, ctx, "#row-"+row+" .invalid-feedback"); !strings.Contains(msg, "period") {
		t.Errorf("the problem beside the row: %q", msg)
	}
	browsertest.Screenshot(t, ctx, "en-7-sheet-refused")

	do(t, ctx, chromedp.Navigate(ts.URL+marino), chromedp.WaitVisible(chromedp.CSS("#dossier-file-form")))
	english(t, ctx, leaks, map[string]string{"#files-title": "dossier.files", `label[for="file-input"]`: "dossier.files.file", "#dossier-file-submit": "dossier.files.submit"})
	prog := filepath.Join(t.TempDir(), "drawing.pdf")
	if err := os.WriteFile(prog, append([]byte("\x7fELF\x02\x01\x01\x00"), make([]byte, 120)...), 0o644); err != nil {
		t.Fatal(err)
	}
	attach(t, ctx, prog, 0)
	want := i18n.T("en", "err.artefact.mismatch", "drawing.pdf", i18n.T("en", "artefact.format.pdf"), i18n.T("en", "artefact.format.executable"))
	if msg := text(t, ctx, "#dossier-error"); msg != want {
		t.Errorf("a program named .pdf: %q, want %q", msg, want)
	}
	english(t, ctx, leaks, nil)
	browsertest.Screenshot(t, ctx, "en-8-file-refused")
	signOut(t, ctx)

	// The Chamber: what a dossier lacks, and a locked dossier.
	signIn(t, ctx, ts.URL, "operatore@milomb.example", demo.Password, dashboard)
	english(t, ctx, leaks, nil)
	do(t, ctx, chromedp.Navigate(ts.URL+esposito), chromedp.WaitVisible(chromedp.CSS("#dossier-missing")))
	english(t, ctx, leaks, map[string]string{"#dossier-state": "dossier.state.open"})
	do(t, ctx, chromedp.Navigate(experienceHref(t, ctx, ts.URL, "Orientamento in officina")), chromedp.WaitVisible(chromedp.CSS("#student-files")))
	english(t, ctx, leaks, map[string]string{"#experience-state": "experience.state.closed"})
	do(t, ctx, chromedp.Click(chromedp.CSS(`#student-files a[href^="/dossiers/"]`)), chromedp.WaitVisible(chromedp.CSS("#dossier-digest")))
	locked := english(t, ctx, leaks, map[string]string{"#lock-title": "dossier.lock.title", "#dossier-document": "dossier.document"})
	if !regexp.MustCompile(englishDate.String() + `, \d{2}:\d{2}:\d{2}`).MatchString(locked) {
		t.Errorf("the lock's time is not written the English way: %q", text(t, ctx, "#dossier-lock"))
	}
	browsertest.Screenshot(t, ctx, "en-9-locked")
	signOut(t, ctx)

	// The student: her dashboard and her dossier.
	signIn(t, ctx, ts.URL, "studente@feltrinelli.example", demo.Password, dashboard)
	english(t, ctx, leaks, nil)
	do(t, ctx, chromedp.Navigate(ts.URL+esposito), chromedp.WaitVisible(chromedp.CSS("#dossier-file-form")))
	english(t, ctx, leaks, map[string]string{"#files-title": "dossier.files"})
}
