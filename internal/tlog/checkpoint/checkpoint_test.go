package checkpoint

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

func TestCheckpointRoundTrip(t *testing.T) {
	for _, c := range []Checkpoint{
		{Origin: "example.com/behind-the-sofa", Size: 20852163, Root: sha256.Sum256([]byte("root"))},
		{Origin: "attesta.example/log", Size: 0, Root: sha256.Sum256(nil)},
		{Origin: "origin with spaces and + plus", Size: 1<<63 - 1},
		{Origin: "é/log", Size: 7, Extensions: []string{"ext one", "— two"}},
	} {
		if err := c.Validate(); err != nil {
			t.Fatalf("Validate(%+v) = %v", c, err)
		}
		text := c.Marshal()
		got, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%q) = %v", text, err)
		}
		if got.Origin != c.Origin || got.Size != c.Size || got.Root != c.Root || strings.Join(got.Extensions, "\n") != strings.Join(c.Extensions, "\n") {
			t.Errorf("Parse(Marshal(%+v)) = %+v", c, got)
		}
		if !bytes.Equal(got.Marshal(), text) {
			t.Errorf("Marshal(Parse(%q)) = %q", text, got.Marshal())
		}
	}
}

// TestParseSpecExample parses the checkpoint of the C2SP tlog-checkpoint
// specification.
func TestParseSpecExample(t *testing.T) {
	text := "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
	c, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if c.Origin != "example.com/behind-the-sofa" || c.Size != 20852163 || c.Root[0] != 0x0a || c.Root[31] != 0x62 || len(c.Extensions) != 0 {
		t.Errorf("Parse = %+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	const root = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="
	for _, tc := range []struct{ text, want string }{
		{"", "does not end in a newline"},
		{"o\n1\n" + root, "does not end in a newline"},
		{"o\n1\n", "2 lines, want at least 3"},
		{"\n1\n" + root + "\n", "line 1: the origin is empty"},
		{"o\n01\n" + root + "\n", `line 2: tree size: "01" has a leading zero`},
		{"o\n-1\n" + root + "\n", `line 2: tree size: "-1" is not a decimal number`},
		{"o\n+1\n" + root + "\n", `"+1" is not a decimal number`},
		{"o\n 1\n" + root + "\n", `" 1" is not a decimal number`},
		{"o\n\n" + root + "\n", "line 2: tree size: empty"},
		{"o\n9223372036854775808\n" + root + "\n", "out of range"},
		{"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "line 3: root hash"},
		{"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "not the canonical base64"},
		{"o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "line 3: root hash"},
		{"o\n1\nAAAA\n", "line 3: root hash"},
		{"o\n1\n" + root + "\n\n", "line 4: empty extension line"},
		{"o\n1\n" + root + "\next\n\nmore\n", "line 5: empty extension line"},
		{"o\r\n1\n" + root + "\n", "control character 0x0d at byte 1"},
		{"o\xff\n1\n" + root + "\n", "invalid UTF-8 at byte 1"},
		{"o\t\n1\n" + root + "\n", "control character 0x09"},
	} {
		_, err := Parse([]byte(tc.text))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tc.text, err, tc.want)
		}
	}
	big := make([]byte, MaxNoteSize+1)
	if _, err := Parse(big); err == nil || !strings.Contains(err.Error(), "the limit is") {
		t.Errorf("Parse(%d bytes) = %v", len(big), err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		c    Checkpoint
		want string
	}{
		{Checkpoint{}, "the origin is empty"},
		{Checkpoint{Origin: "a\nb"}, "origin: newline at byte 1"},
		{Checkpoint{Origin: "a", Size: -1}, "negative tree size -1"},
		{Checkpoint{Origin: "a", Extensions: []string{"x", ""}}, "extension 2 is empty"},
		{Checkpoint{Origin: "a", Extensions: []string{"x\x00"}}, "extension 1: control character 0x00 at byte 1"},
	} {
		err := tc.c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.c, err, tc.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"))
	f.Add([]byte("o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\n"))
	f.Add([]byte("o\n01\nAAAA\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		c, err := Parse(text)
		if err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse(%q) = %+v, which does not validate: %v", text, c, err)
		}
		if got := c.Marshal(); !bytes.Equal(got, text) {
			t.Fatalf("Parse(%q) accepted a non-canonical checkpoint, which marshals as %q", text, got)
		}
		if c.Size < 0 || c.Origin == "" {
			t.Fatalf("Parse(%q) = %+v", text, c)
		}
	})
}
