package artefact

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/attesta/attesta"
)

// Kind is what an artefact is to the dossier: a photo, a document, a
// drawing or a short video. A format may serve several kinds (a PDF is a
// document or a drawing; a PNG a photo or a drawing).
type Kind string

// The kinds of artefact.
const (
	Photo    Kind = "photo"
	Document Kind = "document"
	Drawing  Kind = "drawing"
	Video    Kind = "video"
)

// Kinds lists every kind.
var Kinds = []Kind{Photo, Document, Drawing, Video}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Words names the kind, as a message argument ("una fotografia").
func (k Kind) Words() attesta.Message {
	switch k {
	case Photo:
		return attesta.M("artefact.kind.photo")
	case Document:
		return attesta.M("artefact.kind.document")
	case Drawing:
		return attesta.M("artefact.kind.drawing")
	case Video:
		return attesta.M("artefact.kind.video")
	}
	return attesta.M("artefact.kind.unknown")
}

// Class is what a format's size limit is counted by.
type Class string

// The classes of the size limits ([Limits]).
const (
	ImageClass    Class = "image"
	DocumentClass Class = "document"
	VideoClass    Class = "video"
)

// A Format is a format of file, as the content shows it. The accepted
// ones are in [Formats]; [Detect] also names some refused ones (an
// executable, a web page, a plain zip archive) so that a refusal can say
// what the file is.
type Format struct {
	Name  string          // short and stable: "pdf", "docx", "mp4"; "" for content not recognised
	Media string          // the media type served with it; "" for a refused format
	Kinds []Kind          // the kinds it may be; none for a refused format
	Class Class           // whose size limit applies
	Words attesta.Message // says what it is ("un documento PDF")
}

// Accepted reports whether attesta accepts files of the format.
func (f Format) Accepted() bool { return len(f.Kinds) > 0 }

// The accepted formats.
var (
	JPEG    = Format{"jpeg", "image/jpeg", []Kind{Photo}, ImageClass, attesta.M("artefact.format.jpeg")}
	PNG     = Format{"png", "image/png", []Kind{Photo, Drawing}, ImageClass, attesta.M("artefact.format.png")}
	WebP    = Format{"webp", "image/webp", []Kind{Photo}, ImageClass, attesta.M("artefact.format.webp")}
	SVG     = Format{"svg", "image/svg+xml", []Kind{Drawing}, ImageClass, attesta.M("artefact.format.svg")}
	PDF     = Format{"pdf", "application/pdf", []Kind{Document, Drawing}, DocumentClass, attesta.M("artefact.format.pdf")}
	ODT     = Format{"odt", "application/vnd.oasis.opendocument.text", []Kind{Document}, DocumentClass, attesta.M("artefact.format.odt")}
	ODS     = Format{"ods", "application/vnd.oasis.opendocument.spreadsheet", []Kind{Document}, DocumentClass, attesta.M("artefact.format.ods")}
	ODP     = Format{"odp", "application/vnd.oasis.opendocument.presentation", []Kind{Document}, DocumentClass, attesta.M("artefact.format.odp")}
	ODG     = Format{"odg", "application/vnd.oasis.opendocument.graphics", []Kind{Document, Drawing}, DocumentClass, attesta.M("artefact.format.odg")}
	DOCX    = Format{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", []Kind{Document}, DocumentClass, attesta.M("artefact.format.docx")}
	XLSX    = Format{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", []Kind{Document}, DocumentClass, attesta.M("artefact.format.xlsx")}
	PPTX    = Format{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", []Kind{Document}, DocumentClass, attesta.M("artefact.format.pptx")}
	Text    = Format{"text", "text/plain; charset=utf-8", []Kind{Document}, DocumentClass, attesta.M("artefact.format.text")}
	DXF     = Format{"dxf", "image/vnd.dxf", []Kind{Drawing}, DocumentClass, attesta.M("artefact.format.dxf")}
	DWG     = Format{"dwg", "image/vnd.dwg", []Kind{Drawing}, DocumentClass, attesta.M("artefact.format.dwg")}
	MP4     = Format{"mp4", "video/mp4", []Kind{Video}, VideoClass, attesta.M("artefact.format.mp4")}
	MOV     = Format{"mov", "video/quicktime", []Kind{Video}, VideoClass, attesta.M("artefact.format.mov")}
	ThreeGP = Format{"3gp", "video/3gpp", []Kind{Video}, VideoClass, attesta.M("artefact.format.3gp")}
	WebM    = Format{"webm", "video/webm", []Kind{Video}, VideoClass, attesta.M("artefact.format.webm")}
	MKV     = Format{"mkv", "video/x-matroska", []Kind{Video}, VideoClass, attesta.M("artefact.format.mkv")}
)

// Formats lists the accepted formats.
var Formats = []Format{JPEG, PNG, WebP, SVG, PDF, ODT, ODS, ODP, ODG, DOCX, XLSX, PPTX, Text, DXF, DWG, MP4, MOV, ThreeGP, WebM, MKV}

// Refused formats that Detect names, so that a refusal says what the file
// is rather than only that it is not accepted.
var (
	unknown     = Format{Words: attesta.M("artefact.format.unknown")}
	empty       = Format{Name: "empty", Words: attesta.M("artefact.format.empty")}
	executable  = Format{Name: "executable", Words: attesta.M("artefact.format.executable")}
	html        = Format{Name: "html", Words: attesta.M("artefact.format.html")}
	markup      = Format{Name: "xml", Words: attesta.M("artefact.format.xml")}
	activeSVG   = Format{Name: "svg-active", Words: attesta.M("artefact.format.svgactive")}
	archive     = Format{Name: "archive", Words: attesta.M("artefact.format.archive")}
	macros      = Format{Name: "office-macros", Words: attesta.M("artefact.format.macros")}
	otherOffice = Format{Name: "office-other", Words: attesta.M("artefact.format.office")}
	gif         = Format{Name: "gif", Words: attesta.M("artefact.format.gif")}
	heic        = Format{Name: "heic", Words: attesta.M("artefact.format.heic")}
	damaged     = Format{Name: "damaged", Words: attesta.M("artefact.format.damaged")}
)

// Detect says what format content is in, from the content alone: magic
// bytes, and the structure behind them — a PNG's and a JPEG's headers
// decode, a PDF ends with %%EOF, an OpenDocument's stored mimetype entry
// and an OOXML package's [Content_Types].xml declare an office document
// (templates and macro-enabled documents are refused), an SVG has no
// active content, an MP4's boxes cover the file and hold a movie, a
// Matroska file's EBML header names its document type. The file's name and
// the type its sender declared play no part. The result is one of
// [Formats], or a refused format ([Format.Accepted] false) whose Words say
// what the content is.
func Detect(content []byte) Format {
	b := content
	switch {
	case len(b) == 0:
		return empty
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return checkImage(b, JPEG, jpeg.DecodeConfig)
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		if !bytes.Contains(b[max(0, len(b)-64):], []byte("IEND")) {
			return damaged
		}
		return checkImage(b, PNG, png.DecodeConfig)
	case len(b) >= 16 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		if size := binary.LittleEndian.Uint32(b[4:8]); int64(size)+8 != int64(len(b)) || !slices.Contains([]string{"VP8 ", "VP8L", "VP8X"}, string(b[12:16])) {
			return damaged
		}
		return WebP
	case bytes.HasPrefix(b, []byte("%PDF-")):
		// A PDF ends with %%EOF, give or take the trailing bytes readers
		// tolerate.
		if !bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF")) {
			return damaged
		}
		return PDF
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		return detectZip(b)
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return detectISO(b)
	case bytes.HasPrefix(b, []byte("\x1a\x45\xdf\xa3")):
		return detectEBML(b)
	case isDWG(b):
		return DWG
	case bytes.HasPrefix(b, []byte("AutoCAD Binary DXF\r\n\x1a\x00")):
		return DXF
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return gif
	case isExecutable(b):
		return executable
	case isArchive(b):
		return archive
	}
	return detectText(b)
}

// checkImage returns f if the image's header decodes, with sensible
// dimensions.
func checkImage(b []byte, f Format, decode func(io.Reader) (image.Config, error)) Format {
	c, err := decode(bytes.NewReader(b))
	if err != nil || c.Width <= 0 || c.Height <= 0 || c.Width > 1<<16 || c.Height > 1<<16 {
		return damaged
	}
	return f
}

// The executables' magic numbers: Windows (MZ), ELF, Mach-O (both byte
// orders, and fat binaries, which share Java's class files' magic), a
// script's #!, WebAssembly.
func isExecutable(b []byte) bool {
	for _, magic := range []string{"MZ", "\x7fELF", "\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe", "#!", "\x00asm"} {
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	return false
}

// Archives other than zip: gzip, bzip2, xz, zstd, 7-Zip, RAR, tar.
func isArchive(b []byte) bool {
	for _, magic := range []string{"\x1f\x8b", "BZh", "\xfd7zXZ\x00", "\x28\xb5\x2f\xfd", "7z\xbc\xaf\x27\x1c", "Rar!\x1a\x07"} {
		if bytes.HasPrefix(b, []byte(magic)) {
			return true
		}
	}
	return len(b) >= 262 && string(b[257:262]) == "ustar"
}

// isDWG reports whether b starts as an AutoCAD drawing: "AC10" and two
// digits, the version of the format (AC1012, release 13, to AC1032, 2018
// and later), then the header's zero bytes.
func isDWG(b []byte) bool {
	if len(b) < 12 || string(b[:4]) != "AC10" || b[4] < '0' || b[4] > '9' || b[5] < '0' || b[5] > '9' {
		return false
	}
	return string(b[4:6]) >= "12" && string(b[4:6]) <= "32" && !bytes.ContainsFunc(b[6:11], func(r rune) bool { return r != 0 })
}

// The largest part of a zip file's entries that detectZip decompresses.
const maxDeclaration = 1 << 20

// The OpenDocument types accepted, by their mimetype entry.
var odfTypes = map[string]Format{ODT.Media: ODT, ODS.Media: ODS, ODP.Media: ODP, ODG.Media: ODG}

// The OOXML main parts accepted, by their declared content type.
var ooxmlTypes = map[string]Format{
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml":   DOCX,
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml":         XLSX,
	"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": PPTX,
}

// detectZip tells an OpenDocument (its first entry is "mimetype", stored,
// holding the type) and an OOXML package (its [Content_Types].xml declares
// the main part's type) from any other zip archive. A package holding
// macros (a vbaProject.bin part) is refused whatever it declares.
func detectZip(b []byte) Format {
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(r.File) == 0 {
		return damaged
	}
	for _, f := range r.File {
		if strings.EqualFold(f.Name[strings.LastIndexByte(f.Name, '/')+1:], "vbaProject.bin") {
			return macros
		}
	}
	if f := r.File[0]; f.Name == "mimetype" {
		body, ok := readEntry(f, 100)
		if !ok || f.Method != zip.Store {
			return damaged
		}
		if format, ok := odfTypes[string(body)]; ok {
			return format
		}
		return otherOffice
	}
	for _, f := range r.File {
		if f.Name != "[Content_Types].xml" {
			continue
		}
		body, ok := readEntry(f, maxDeclaration)
		if !ok {
			return damaged
		}
		var types struct {
			Overrides []struct {
				PartName    string `xml:"PartName,attr"`
				ContentType string `xml:"ContentType,attr"`
			} `xml:"Override"`
		}
		if xml.Unmarshal(body, &types) != nil {
			return damaged
		}
		found := unknown
		for _, o := range types.Overrides {
			if strings.Contains(strings.ToLower(o.ContentType), "macroenabled") {
				return macros
			}
			if format, ok := ooxmlTypes[o.ContentType]; ok {
				found = format
			} else if strings.HasSuffix(o.ContentType, ".main+xml") && found.Name == "" {
				found = otherOffice // a template, or a kind of document not accepted
			}
		}
		if found.Name == "" {
			return otherOffice
		}
		return found
	}
	return archive
}

// readEntry returns up to limit bytes of f's content, and false if f is
// longer or unreadable.
func readEntry(f *zip.File, limit int) ([]byte, bool) {
	rc, err := f.Open()
	if err != nil {
		return nil, false
	}
	defer rc.Close()
	body, err := io.ReadAll(io.LimitReader(rc, int64(limit)+1))
	if err != nil || len(body) > limit {
		return nil, false
	}
	return body, true
}

// The ISO base media file brands of video (the ftyp box's major brand).
var isoBrands = map[string]Format{
	"isom": MP4, "iso2": MP4, "iso3": MP4, "iso4": MP4, "iso5": MP4, "iso6": MP4, "mp41": MP4, "mp42": MP4,
	"avc1": MP4, "M4V ": MP4, "M4VH": MP4, "M4VP": MP4, "dash": MP4, "mmp4": MP4, "MSNV": MP4,
	"qt  ": MOV,
	"3gp4": ThreeGP, "3gp5": ThreeGP, "3gp6": ThreeGP, "3gp7": ThreeGP, "3ge6": ThreeGP, "3g2a": ThreeGP,
}

// detectISO checks an ISO base media file (MP4, QuickTime, 3GP): its
// major brand is a video brand, and its top-level boxes follow each other
// to the end of the file, one of them the movie ("moov"). HEIF photos
// (heic, mif1) share the container and are named, to be refused.
func detectISO(b []byte) Format {
	brand := string(b[8:12])
	format, ok := isoBrands[brand]
	if !ok {
		if slices.Contains([]string{"heic", "heix", "heim", "heis", "hevc", "mif1", "msf1", "avif"}, brand) {
			return heic
		}
		return unknown
	}
	movie := false
	for off := int64(0); off < int64(len(b)); {
		if int64(len(b))-off < 8 {
			return damaged
		}
		size, typ := int64(binary.BigEndian.Uint32(b[off:])), string(b[off+4:off+8])
		switch size {
		case 0: // to the end of the file
			size = int64(len(b)) - off
		case 1: // a 64-bit size follows the type
			if int64(len(b))-off < 16 {
				return damaged
			}
			size = int64(binary.BigEndian.Uint64(b[off+8:]))
			if size < 16 {
				return damaged
			}
		default:
			if size < 8 {
				return damaged
			}
		}
		if size > int64(len(b))-off {
			return damaged
		}
		if typ == "moov" {
			movie = true
		}
		off += size
	}
	if !movie {
		return damaged
	}
	return format
}

// detectEBML reads a Matroska or WebM file's EBML header, the first
// element, and returns the format its DocType names.
func detectEBML(b []byte) Format {
	_, n := vint(b, true) // the header's ID, 1A 45 DF A3
	size, m := vint(b[n:], false)
	if n <= 0 || m <= 0 || size < 0 || size > int64(len(b)-n-m) {
		return damaged
	}
	header := b[n+m : n+m+int(size)]
	for len(header) > 0 {
		id, i := vint(header, true)
		if i <= 0 {
			return damaged
		}
		sz, j := vint(header[i:], false)
		if j <= 0 || sz < 0 || sz > int64(len(header)-i-j) {
			return damaged
		}
		if id == 0x4282 { // DocType
			switch strings.TrimRight(string(header[i+j:i+j+int(sz)]), "\x00") {
			case "webm":
				return WebM
			case "matroska":
				return MKV
			}
			return unknown
		}
		header = header[i+j+int(sz):]
	}
	return damaged
}

// vint reads an EBML variable-length integer: an element's ID (with its
// length marker kept, as IDs are written) or a size (without it; all ones
// is "unknown", returned as -1). It returns the value and the bytes read,
// or 0 bytes if b does not start with one.
func vint(b []byte, id bool) (int64, int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n := 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 || len(b) < n {
		return 0, 0
	}
	v := int64(b[0])
	if !id {
		v &= int64(0xff >> n)
	}
	allOnes := v == int64(0xff>>n)
	for _, c := range b[1:n] {
		v = v<<8 | int64(c)
		allOnes = allOnes && c == 0xff
	}
	if !id && allOnes {
		return -1, n
	}
	return v, n
}

// detectText tells plain text, an SVG drawing and a DXF drawing from web
// pages and other markup, and from binary content.
func detectText(b []byte) Format {
	text := bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(text) || bytes.ContainsFunc(text, func(r rune) bool {
		return r < ' ' && r != '\n' && r != '\r' && r != '\t' && r != '\f' || r == 0x7f
	}) {
		return unknown
	}
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	if isDXF(trimmed) {
		return DXF
	}
	lower := bytes.ToLower(trimmed[:min(len(trimmed), 512)])
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body", "<script", "<iframe", "<meta", "<style", "<a ", "<div", "<table", "<form", "<title", "<img", "<p>", "<p "} {
		if bytes.HasPrefix(lower, []byte(tag)) {
			return html
		}
	}
	if bytes.HasPrefix(trimmed, []byte("<")) {
		switch root, ok := svgRoot(trimmed); {
		case !ok:
			return markup
		case root == "html":
			return html
		case root != "svg":
			return markup
		}
		if !cleanSVG(trimmed) {
			return activeSVG
		}
		return SVG
	}
	return Text
}

// isDXF reports whether text is an ASCII DXF file: pairs of lines, a group
// code and its value, starting with comments (999) or the first SECTION
// (0), and ending with 0 EOF.
func isDXF(text []byte) bool {
	lines := strings.Split(strings.ReplaceAll(string(text[:min(len(text), 4096)]), "\r\n", "\n"), "\n")
	for i := 0; i+1 < len(lines); i += 2 {
		code, value := strings.TrimSpace(lines[i]), strings.TrimSpace(lines[i+1])
		if code == "999" {
			continue
		}
		if code != "0" || value != "SECTION" {
			return false
		}
		tail := strings.Fields(string(text[max(0, len(text)-64):]))
		return len(tail) >= 2 && tail[len(tail)-2] == "0" && tail[len(tail)-1] == "EOF"
	}
	return false
}

// svgRoot returns the local name of the root element of an XML document,
// in lower case, and false if it is not well-formed up to it.
func svgRoot(b []byte) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		tok, err := d.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return strings.ToLower(t.Name.Local), true
		case xml.Directive:
			// A DOCTYPE may declare entities, which expand anywhere in the
			// document: refused rather than followed.
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return "", false
			}
		}
	}
}

// The elements of SVG that run or load something: scripts, foreign
// content (which embeds HTML), embeddings, animations (which can change an
// attribute into a javascript: link), and HTML's.
var activeElements = []string{"script", "foreignobject", "iframe", "embed", "object", "feimage", "animate", "set",
	"animatemotion", "animatetransform", "handler", "listener", "audio", "video", "link", "meta", "base"}

// cleanSVG reports whether an SVG document is well-formed and free of
// active content: no element of activeElements, no event handler (on…
// attributes), no reference outside the document (href only to
// #fragments, or an image's to an embedded PNG or JPEG; url(…) only to
// url(#…), in attributes and style sheets; no @import), no javascript:
// anywhere, no processing instruction (an xml-stylesheet) and no entity
// declaration.
func cleanSVG(b []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return len(stack) == 0
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			el := strings.ToLower(t.Name.Local)
			stack = append(stack, el)
			if slices.Contains(activeElements, el) {
				return false
			}
			for _, a := range t.Attr {
				if !cleanAttr(el, strings.ToLower(a.Name.Local), strings.ToLower(strings.Join(strings.Fields(a.Value), ""))) {
					return false
				}
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return false
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && stack[len(stack)-1] == "style" {
				css := strings.ToLower(strings.Join(strings.Fields(string(t)), ""))
				if strings.Contains(css, "@import") || strings.Contains(css, "javascript:") || !onlyLocalURLs(css) {
					return false
				}
			}
		case xml.ProcInst:
			if t.Target != "xml" {
				return false
			}
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return false
			}
		}
	}
}

// cleanAttr reports whether an attribute (its name and value in lower
// case, the value without spaces) of element el is inert.
func cleanAttr(el, name, value string) bool {
	switch {
	case strings.HasPrefix(name, "on"):
		return false
	case name == "href" || name == "src" || name == "action" || name == "formaction":
		embedded := el == "image" && (strings.HasPrefix(value, "data:image/png;base64,") || strings.HasPrefix(value, "data:image/jpeg;base64,"))
		return strings.HasPrefix(value, "#") || embedded
	case strings.Contains(value, "javascript:") || strings.Contains(value, "data:"):
		return false
	}
	return onlyLocalURLs(value)
}

// onlyLocalURLs reports whether every url(…) in v, spaces removed, points
// into the document: url(#id), url('#id').
func onlyLocalURLs(v string) bool {
	for rest := v; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			return true
		}
		rest = strings.TrimLeft(rest[i+4:], `'"`)
		if !strings.HasPrefix(rest, "#") {
			return false
		}
	}
}
