package analysis

import "testing"

// The benchmarks analyse 2,000 attempts of 40 items each, drawn from a
// bank of 200: go test -bench . -benchmem ./analysis

func BenchmarkItems(b *testing.B) {
	attempts := bank(1, 2000, 40, 200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Items(attempts, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTest(b *testing.B) {
	attempts := bank(1, 2000, 40, 200)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Test(attempts); err != nil {
			b.Fatal(err)
		}
	}
}
