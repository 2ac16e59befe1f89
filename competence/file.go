package competence

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/attesta/attesta"
)

// FormatV1 is the value of the "format" key of a standards file.
const FormatV1 = "attesta.standards/v1"

// MaxFileSize is the largest standards file Decode accepts.
const MaxFileSize = 8 << 20

// File is the content of a standards file: versions of one or more sectors'
// standards.
type File struct {
	Format    string     `yaml:"format" json:"format"`
	Standards []Standard `yaml:"standards" json:"standards"`
}

// Standard returns the file's first standard of sector, or false.
func (f *File) Standard(sector string) (*Standard, bool) {
	for i := range f.Standards {
		if f.Standards[i].Sector == sector {
			return &f.Standards[i], true
		}
	}
	return nil, false
}

// Problem is one thing wrong with a standards file or a standard: where it
// is, and what is wrong as a message (a key and its arguments) that the
// edge says in the reader's language. Path names the place in the standard
// as a form's field would; Line and Column the place in the file.
type Problem struct {
	File   string `json:"file,omitempty"`   // the file name, if the problem comes from a file
	Line   int    `json:"line,omitempty"`   // 1-based line, 0 if unknown
	Column int    `json:"column,omitempty"` // 1-based column, 0 if unknown
	Path   string `json:"path,omitempty"`   // where in the document, e.g. standards[0].competences[2].code
	attesta.Message
	// IT and EN are the message said in Italian and English, for readers
	// of the JSON.
	IT string `json:"it"`
	EN string `json:"en"`
}

// newProblem returns the problem m at path.
func newProblem(path string, m attesta.Message) Problem {
	return Problem{Path: path, Message: m, IT: m.In("it"), EN: m.In("en")}
}

// In returns what is wrong in lang ("it" or "en"), without where.
func (p Problem) In(lang string) string { return p.Message.In(lang) }

// Where says where the problem is in lang: "riga 12, colonna 20,
// standards[0].paths[0].competences[1].code", or "" when nothing is known.
func (p Problem) Where(lang string) string {
	var parts []string
	if p.Line > 0 {
		parts = append(parts, attesta.M("err.competence.where.line", p.Line, p.Column).In(lang))
	}
	if p.Path != "" {
		parts = append(parts, p.Path)
	}
	return strings.Join(parts, ", ")
}

// String returns the problem in English as the command line prints it:
// "file.yaml:12:20: standards[0].code: …".
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		b.WriteString(":")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d:", p.Line, p.Column)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if p.Path != "" {
		b.WriteString(p.Path)
		b.WriteString(": ")
	}
	b.WriteString(p.In("en"))
	return b.String()
}

// Problems is a list of problems; as an error it reports all of them in
// English, one a line.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s):\n%s", len(ps), strings.Join(lines, "\n"))
}

// In says the problems in lang, each after where it is, separated by
// "; ": what a page or a problem document shows after the message of the
// error that wraps them.
func (ps Problems) In(lang string) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("; ")
		}
		if w := p.Where(lang); w != "" {
			b.WriteString(w + ": ")
		}
		b.WriteString(p.In(lang))
	}
	return b.String()
}

// Decode reads a standards file, checks its structure and every rule of
// [Validate], and returns it only if there is no problem at all. Otherwise
// the error is an *attesta.Error with code Invalid wrapping the
// [Problems], each with its line, column and path (errors.As finds them).
// name is the file's name in the problems.
func Decode(r io.Reader, name string) (*File, error) {
	f, ps, err := decode(r, name)
	if err != nil {
		return nil, err
	}
	if len(ps) > 0 {
		return nil, attesta.Wrap(ps, attesta.Invalid, "err.competence.file.invalid")
	}
	return f, nil
}

func decode(r io.Reader, name string) (*File, Problems, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxFileSize {
		p := newProblem("", attesta.M("err.competence.file.large", MaxFileSize))
		p.File = name
		return nil, Problems{p}, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Problems{yamlSyntaxProblem(name, err)}, nil
	}
	d := &decoder{file: name, lines: map[string][2]int{}}
	var f File
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		d.report(&root, "", "err.competence.file.empty")
		return nil, d.problems, nil
	}
	d.object(root.Content[0], "", []field{
		{name: "format", required: true, decode: func(n *yaml.Node, p string) {
			f.Format = d.str(n, p)
			if f.Format != "" && f.Format != FormatV1 {
				d.report(n, p, "err.competence.format.unknown", f.Format, FormatV1)
			}
		}},
		{name: "standards", required: true, decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxStandards, func(n *yaml.Node, p string) {
				f.Standards = append(f.Standards, d.standard(n, p))
			})
		}},
	})
	if len(d.problems) > 0 {
		return nil, d.problems, nil
	}
	for _, p := range ValidateFile(&f) {
		if pos, ok := d.lines[p.Path]; ok {
			p.Line, p.Column = pos[0], pos[1]
		}
		p.File = name
		d.problems = append(d.problems, p)
	}
	if len(d.problems) > 0 {
		slices.SortStableFunc(d.problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, d.problems, nil
	}
	return &f, nil, nil
}

// yamlSyntaxProblem is the problem of a file that is not YAML, said with
// the words of the YAML parser (in English).
func yamlSyntaxProblem(name string, err error) Problem {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	// yaml.v3 reports "line N: …".
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if i := strings.Index(rest, ":"); i > 0 {
			if n, err := strconv.Atoi(rest[:i]); err == nil {
				line, msg = n, strings.TrimSpace(rest[i+1:])
			}
		}
	}
	p := newProblem("", attesta.M("err.competence.yaml.syntax", msg))
	p.File = name
	if line > 0 {
		p.Line, p.Column = line, 1
	}
	return p
}

// Encode writes f in the canonical form: the same File always gives the
// same bytes, and Decode(Encode(f)) gives f back.
//
// The canonical form lists standards by sector and version.
func Encode(w io.Writer, f *File) error {
	sorted := *f
	sorted.Standards = slices.Clone(f.Standards)
	slices.SortStableFunc(sorted.Standards, func(a, b Standard) int {
		return cmp.Or(strings.Compare(a.Sector, b.Sector), cmp.Compare(a.Version, b.Version))
	})
	f = &sorted
	var buf bytes.Buffer
	buf.WriteString("# attesta competence standards; format documented in docs/standards-format.md\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("encoding standards: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("encoding standards: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Limits on what a file may hold.
const (
	maxStandards = 500
	maxItems     = 1000 // entries of any one list
	maxShortText = 500  // titles, labels, codes
	maxLongText  = 8000 // descriptions
)

type field struct {
	name     string
	required bool
	decode   func(n *yaml.Node, path string)
}

type decoder struct {
	file     string
	problems Problems
	lines    map[string][2]int // path → line, column of its value
}

// report records a problem at n, whose path is path: the message key with
// args.
func (d *decoder) report(n *yaml.Node, path, key string, args ...any) {
	p := newProblem(path, attesta.M(key, args...))
	p.File, p.Line, p.Column = d.file, n.Line, n.Column
	d.problems = append(d.problems, p)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// kindName names what n is, in a message: "a list", "a number"…
func kindName(n *yaml.Node) attesta.Message {
	switch n.Kind {
	case yaml.MappingNode:
		return attesta.M("err.competence.yaml.kind.mapping")
	case yaml.SequenceNode:
		return attesta.M("err.competence.yaml.kind.list")
	case yaml.AliasNode:
		return attesta.M("err.competence.yaml.kind.alias")
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return attesta.M("err.competence.yaml.kind.null")
		case "!!int", "!!float":
			return attesta.M("err.competence.yaml.kind.number")
		case "!!bool":
			return attesta.M("err.competence.yaml.kind.boolean")
		case "!!timestamp":
			return attesta.M("err.competence.yaml.kind.date")
		}
		return attesta.M("err.competence.yaml.kind.string")
	}
	return attesta.M("err.competence.yaml.kind.nothing")
}

// object decodes a mapping with the given fields, reporting unknown,
// duplicate and missing keys.
func (d *decoder) object(n *yaml.Node, path string, fields []field) {
	d.lines[path] = [2]int{n.Line, n.Column}
	if n.Kind != yaml.MappingNode {
		d.report(n, path, "err.competence.yaml.mapping", kindName(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.report(k, path, "err.competence.yaml.keys")
			continue
		}
		var f *field
		for j := range fields {
			if fields[j].name == k.Value {
				f = &fields[j]
			}
		}
		p := join(path, k.Value)
		if f == nil {
			names := make([]string, len(fields))
			for j := range fields {
				names[j] = fields[j].name
			}
			d.report(k, p, "err.competence.field.unknown", k.Value, strings.Join(names, ", "))
			continue
		}
		if seen[k.Value] {
			d.report(k, p, "err.competence.field.twice", k.Value)
			continue
		}
		seen[k.Value] = true
		d.lines[p] = [2]int{v.Line, v.Column}
		f.decode(v, p)
	}
	for _, f := range fields {
		if f.required && !seen[f.name] {
			d.report(n, join(path, f.name), "err.competence.field.missing", f.name)
		}
	}
}

func (d *decoder) seq(n *yaml.Node, path string, max int, each func(n *yaml.Node, path string)) {
	if n.Kind != yaml.SequenceNode {
		d.report(n, path, "err.competence.yaml.list", kindName(n))
		return
	}
	if len(n.Content) > max {
		d.report(n, path, "err.competence.yaml.entries", len(n.Content), max)
		return
	}
	for i, item := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		d.lines[p] = [2]int{item.Line, item.Column}
		each(item, p)
	}
}

// scalar reports whether n is a scalar that is not null; want names what
// is expected ("a string", "a number"…).
func (d *decoder) scalar(n *yaml.Node, path string, want attesta.Message) bool {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.report(n, path, "err.competence.yaml.scalar", want, kindName(n))
		return false
	}
	return true
}

func (d *decoder) str(n *yaml.Node, path string) string {
	if !d.scalar(n, path, attesta.M("err.competence.yaml.kind.string")) {
		return ""
	}
	if n.Tag != "!!str" {
		d.report(n, path, "err.competence.yaml.quote", kindName(n), n.Value)
		return ""
	}
	return n.Value
}

func (d *decoder) integer(n *yaml.Node, path string) int {
	if !d.scalar(n, path, attesta.M("err.competence.yaml.kind.integer")) {
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Tag != "!!int" || err != nil {
		d.report(n, path, "err.competence.yaml.integer", n.Value)
		return 0
	}
	return v
}

func (d *decoder) number(n *yaml.Node, path string) float64 {
	if !d.scalar(n, path, attesta.M("err.competence.yaml.kind.number")) {
		return 0
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if (n.Tag != "!!int" && n.Tag != "!!float") || err != nil {
		d.report(n, path, "err.competence.yaml.number", n.Value)
		return 0
	}
	return v
}

func (d *decoder) timestamp(n *yaml.Node, path string) time.Time {
	if !d.scalar(n, path, attesta.M("err.competence.yaml.kind.datetime")) {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, n.Value)
	if err != nil {
		d.report(n, path, "err.competence.yaml.datetime", n.Value)
		return time.Time{}
	}
	return t.UTC()
}

func (d *decoder) text(n *yaml.Node, path string) Text {
	var t Text
	d.object(n, path, []field{
		{name: "it", required: true, decode: func(n *yaml.Node, p string) { t.IT = d.str(n, p) }},
		{name: "en", decode: func(n *yaml.Node, p string) { t.EN = d.str(n, p) }},
	})
	return t
}

func (d *decoder) strings(n *yaml.Node, path string) []string {
	var out []string
	d.seq(n, path, maxItems, func(n *yaml.Node, p string) { out = append(out, d.str(n, p)) })
	return out
}

func (d *decoder) standard(n *yaml.Node, path string) Standard {
	var s Standard
	d.object(n, path, []field{
		{name: "sector", required: true, decode: func(n *yaml.Node, p string) { s.Sector = d.str(n, p) }},
		{name: "version", required: true, decode: func(n *yaml.Node, p string) { s.Version = d.integer(n, p) }},
		{name: "status", required: true, decode: func(n *yaml.Node, p string) { s.Status = Status(d.str(n, p)) }},
		{name: "published_at", decode: func(n *yaml.Node, p string) { s.PublishedAt = d.timestamp(n, p) }},
		{name: "digest", decode: func(n *yaml.Node, p string) { s.Digest = d.str(n, p) }},
		{name: "title", required: true, decode: func(n *yaml.Node, p string) { s.Title = d.text(n, p) }},
		{name: "description", decode: func(n *yaml.Node, p string) { s.Description = d.text(n, p) }},
		{name: "levels", decode: func(n *yaml.Node, p string) {
			for _, v := range d.strings(n, p) {
				s.Levels = append(s.Levels, Level(v))
			}
		}},
		{name: "observation_scale", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) {
				var l ScaleLevel
				d.object(n, p, []field{
					{name: "value", required: true, decode: func(n *yaml.Node, p string) { l.Value = d.integer(n, p) }},
					{name: "label", required: true, decode: func(n *yaml.Node, p string) { l.Label = d.text(n, p) }},
					{name: "description", decode: func(n *yaml.Node, p string) { l.Description = d.text(n, p) }},
				})
				s.Scale = append(s.Scale, l)
			})
		}},
		{name: "microcredential", decode: func(n *yaml.Node, p string) { s.Defaults = d.microCredential(n, p) }},
		{name: "paths", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) { s.Paths = append(s.Paths, d.path(n, p)) })
		}},
		{name: "competences", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) { s.Competences = append(s.Competences, d.competence(n, p)) })
		}},
	})
	return s
}

func (d *decoder) path(n *yaml.Node, path string) Path {
	var pa Path
	d.object(n, path, []field{
		{name: "id", required: true, decode: func(n *yaml.Node, p string) { pa.ID = d.str(n, p) }},
		{name: "title", required: true, decode: func(n *yaml.Node, p string) { pa.Title = d.text(n, p) }},
		{name: "description", decode: func(n *yaml.Node, p string) { pa.Description = d.text(n, p) }},
		{name: "competences", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) {
				var pc PathCompetence
				d.object(n, p, []field{
					{name: "code", required: true, decode: func(n *yaml.Node, p string) { pc.Code = d.str(n, p) }},
					{name: "school_types", required: true, decode: func(n *yaml.Node, p string) {
						for _, v := range d.strings(n, p) {
							pc.SchoolTypes = append(pc.SchoolTypes, SchoolType(v))
						}
					}},
				})
				pa.Competences = append(pa.Competences, pc)
			})
		}},
		{name: "stack", decode: func(n *yaml.Node, p string) { pa.Stack = d.strings(n, p) }},
	})
	return pa
}

func (d *decoder) competence(n *yaml.Node, path string) Competence {
	var c Competence
	d.object(n, path, []field{
		{name: "code", required: true, decode: func(n *yaml.Node, p string) { c.Code = d.str(n, p) }},
		{name: "title", required: true, decode: func(n *yaml.Node, p string) { c.Title = d.text(n, p) }},
		{name: "description", decode: func(n *yaml.Node, p string) { c.Description = d.text(n, p) }},
		{name: "ada", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) { c.ADA = append(c.ADA, d.ada(n, p)) })
		}},
		{name: "microcredential", decode: func(n *yaml.Node, p string) { c.MicroCredential = d.microCredential(n, p) }},
	})
	return c
}

func (d *decoder) ada(n *yaml.Node, path string) ADA {
	var a ADA
	d.object(n, path, []field{
		{name: "code", required: true, decode: func(n *yaml.Node, p string) { a.Code = d.str(n, p) }},
		{name: "former_code", decode: func(n *yaml.Node, p string) { a.FormerCode = d.str(n, p) }},
		{name: "title", required: true, decode: func(n *yaml.Node, p string) { a.Title = d.text(n, p) }},
		{name: "results", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) {
				var r Result
				d.object(n, p, []field{
					{name: "code", required: true, decode: func(n *yaml.Node, p string) { r.Code = d.str(n, p) }},
					{name: "title", required: true, decode: func(n *yaml.Node, p string) { r.Title = d.text(n, p) }},
					{name: "activities", decode: func(n *yaml.Node, p string) {
						d.seq(n, p, maxItems, func(n *yaml.Node, p string) { r.Activities = append(r.Activities, d.activity(n, p)) })
					}},
				})
				a.Results = append(a.Results, r)
			})
		}},
	})
	return a
}

func (d *decoder) activity(n *yaml.Node, path string) Activity {
	var a Activity
	d.object(n, path, []field{
		{name: "title", required: true, decode: func(n *yaml.Node, p string) { a.Title = d.text(n, p) }},
		{name: "evidences", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) {
				var e Evidence
				d.object(n, p, []field{
					{name: "text", required: true, decode: func(n *yaml.Node, p string) { e.Text = d.text(n, p) }},
				})
				a.Evidences = append(a.Evidences, e)
			})
		}},
	})
	return a
}

func (d *decoder) microCredential(n *yaml.Node, path string) MicroCredential {
	var m MicroCredential
	d.object(n, path, []field{
		{name: "eqf_level", decode: func(n *yaml.Node, p string) { m.EQFLevel = d.integer(n, p) }},
		{name: "qnq_level", decode: func(n *yaml.Node, p string) { m.QNQLevel = d.integer(n, p) }},
		{name: "isced_f", decode: func(n *yaml.Node, p string) { m.ISCEDF = d.str(n, p) }},
		{name: "workload_hours", decode: func(n *yaml.Node, p string) { m.WorkloadHours = d.integer(n, p) }},
		{name: "credits", decode: func(n *yaml.Node, p string) { m.Credits = d.number(n, p) }},
		{name: "workload", decode: func(n *yaml.Node, p string) { m.Workload = d.text(n, p) }},
		{name: "learning_modes", decode: func(n *yaml.Node, p string) {
			for _, v := range d.strings(n, p) {
				m.LearningModes = append(m.LearningModes, LearningMode(v))
			}
		}},
		{name: "assessment", decode: func(n *yaml.Node, p string) { m.Assessment = d.text(n, p) }},
		{name: "quality_assurance", decode: func(n *yaml.Node, p string) { m.QualityAssurance = d.text(n, p) }},
		{name: "esco", decode: func(n *yaml.Node, p string) {
			d.seq(n, p, maxItems, func(n *yaml.Node, p string) {
				var e ESCOAlignment
				d.object(n, p, []field{
					{name: "uri", required: true, decode: func(n *yaml.Node, p string) { e.URI = d.str(n, p) }},
					{name: "title", required: true, decode: func(n *yaml.Node, p string) { e.Title = d.text(n, p) }},
				})
				m.ESCO = append(m.ESCO, e)
			})
		}},
		{name: "prerequisites", decode: func(n *yaml.Node, p string) { m.Prerequisites = d.text(n, p) }},
	})
	return m
}
