package analysis

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// FuzzItems builds matrices from bytes, every three bytes a response
// (attempt, item, score) of up to 6 attempts and 5 items, and checks that
// the analysis accepts them and reports only finite figures in range.
func FuzzItems(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 0, 0, 2, 0, 1})
	f.Add([]byte{0, 0, 255, 1, 0, 255, 0, 1, 255, 1, 1, 255})
	f.Add([]byte{0, 0, 3, 0, 1, 7, 1, 1, 0, 2, 2, 9, 3, 0, 4, 3, 2, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		attempts := make([]Attempt, 6)
		shown := map[[2]int]bool{}
		for k := 0; k+2 < len(data); k += 3 {
			a, i := int(data[k])%6, int(data[k+1])%5
			if shown[[2]int{a, i}] {
				continue
			}
			shown[[2]int{a, i}] = true
			max := float64(1 + i)
			score := max * float64(data[k+2]%11) / 10
			attempts[a].Responses = append(attempts[a].Responses, Response{Item: strconv.Itoa(i), Score: score, Max: max, Answered: data[k+2]%11 != 0})
		}
		var used []Attempt
		for _, a := range attempts {
			if len(a.Responses) > 0 {
				used = append(used, a)
			}
		}
		items, err := Items(used, Options{MinN: 1})
		if err != nil {
			t.Fatal(err)
		}
		ts, err := Test(used)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(struct {
			I []ItemStats
			T TestStats
		}{items, ts}); err != nil {
			t.Fatal(err)
		}
		for _, s := range items {
			for _, r := range []Stat{s.Discrimination, s.ItemTotal} {
				if r.Available && math.Abs(r.Value) > 1 {
					t.Fatalf("%s: correlation %v", s.Item, r.Value)
				}
			}
			if s.Facility < 0 || s.Facility > 1 {
				t.Fatalf("%s: facility %v", s.Item, s.Facility)
			}
		}
		if ts.Alpha.Available && ts.Alpha.Value > 1 {
			t.Fatalf("alpha %v", ts.Alpha.Value)
		}
	})
}
