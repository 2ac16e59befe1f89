package guard

import "testing"

func TestNoteText(t *testing.T) {
	for note, want := range map[string]string{
		"origin\n5\nroot\n\n— log sig\n":                "origin\n5\nroot\n",
		"origin\n5\nroot\n\n— log sig\n— witness sig\n": "origin\n5\nroot\n",
		"no signatures\n":                               "no signatures\n",
	} {
		if got := string(noteText([]byte(note))); got != want {
			t.Errorf("noteText(%q) = %q, want %q", note, got, want)
		}
	}
}
