package web

import "testing"

// SetMaxTaskExperiences bounds the experiences whose students' files the
// dashboard reads to n, until the test ends.
func SetMaxTaskExperiences(t testing.TB, n int) {
	old := maxTaskExperiences
	maxTaskExperiences = n
	t.Cleanup(func() { maxTaskExperiences = old })
}
