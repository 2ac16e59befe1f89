package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/importer"
)

// classesFile returns a classes file of classes × size students.
func classesFile(classes, size int) []byte {
	var b bytes.Buffer
	b.WriteString("anno_scolastico,classe,matricola,cognome,nome,recapito,consenso_di\n")
	n := 0
	for c := range classes {
		name := fmt.Sprintf("%d%c %03d", 1+c%5, 'A'+c%26, c)
		for range size {
			n++
			fmt.Fprintf(&b, "2026/27,%s,S%06d,Cognome%d,Nome%d,+39 333 %07d,Genitore %d\n", name, n, n, n, n, n)
		}
	}
	return b.Bytes()
}

// peakHeap samples the bytes of live heap objects every few milliseconds
// until stopped, and returns the largest.
func peakHeap() (stop func() uint64) {
	const name = "/memory/classes/heap/objects:bytes"
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := []metrics.Sample{{Name: name}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak
	}
}

// BenchmarkImportClasses10k parses and applies a file of 10,000 students
// in 400 classes of 25, on a new SQLite database each time.
func BenchmarkImportClasses10k(b *testing.B) {
	ctx := context.Background()
	data := classesFile(400, 25)
	const rows = 10000
	var elapsed time.Duration
	var peak uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		stop := peakHeap()
		b.StartTimer()
		start := time.Now()
		f, err := importer.Parse(importer.Classes, bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.imp.Apply(ctx, referent, importer.Classes, "itis-avogadro", f, nil)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		peak = max(peak, stop())
		if res.Created != rows {
			b.Fatalf("%d created", res.Created)
		}
		e.db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
