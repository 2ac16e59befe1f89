package migration

import (
	"testing"
	"testing/fstest"
)

func TestLoad(t *testing.T) {
	good := fstest.MapFS{
		"0002_more.sql":  {Data: []byte("B")},
		"0001_start.sql": {Data: []byte("A")},
	}
	ms, err := Load(good)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].SQL != "A" || ms[1].Version != 2 {
		t.Fatalf("got %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"gap":      {"0001_a.sql": {}, "0003_c.sql": {}},
		"badname":  {"0001_a.sql": {}, "2_b.sql": {}},
		"empty":    {},
		"notfirst": {"0002_b.sql": {}},
	} {
		if _, err := Load(fsys); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
