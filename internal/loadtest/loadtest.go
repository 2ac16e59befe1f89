// Package loadtest puts the online test under the load of a national
// sitting: many candidates answering at once over HTTP, each with a
// personal access token, against a server on either engine. Its test
// checks that every answer is saved exactly once with nothing lost; its
// benchmark measures answers saved per second and their latency
// (README, "The online test").
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/attesta/attesta/assessment"
	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/internal/demo"
	"github.com/attesta/attesta/internal/server"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/people"
)

// Candidate is a candidate of the sitting: their token and attempt.
type Candidate struct {
	Person  string
	Token   string
	Attempt *assessment.Attempt
}

// Setup enrols n students in a new class of the demo's ITIS Feltrinelli,
// opens a sitting of the demo's test for it, authorizes and starts every
// candidate, and gives each a personal access token; now is the server's
// clock.
func Setup(tb testing.TB, srv *server.Server, n int, now time.Time) []Candidate {
	tb.Helper()
	ctx := context.Background()
	svc := srv.Services()
	referent, err := svc.People.PrincipalByEmail(ctx, "referente@feltrinelli.example", "mitf01000a", auth.SchoolReferent)
	if err != nil {
		tb.Fatal(err)
	}
	proctor, err := svc.People.PrincipalByEmail(ctx, "docente@feltrinelli.example", "mitf01000a", auth.SchoolTutor)
	if err != nil {
		tb.Fatal(err)
	}
	class, err := svc.People.CreateClass(ctx, referent, people.Class{School: "mitf01000a", Year: "2026/27", Name: "5C CARICO"})
	if err != nil {
		tb.Fatal(err)
	}
	var persons []string
	for i := range n {
		e, err := svc.People.Enrol(ctx, referent, class.ID, people.StudentInput{
			Person:  people.Person{GivenName: fmt.Sprintf("Candidato%04d", i), FamilyName: "Carico"},
			Student: people.Student{Number: fmt.Sprintf("L%05d", i)}})
		if err != nil {
			tb.Fatal(err)
		}
		persons = append(persons, e.Person.ID)
	}
	tests, err := svc.Tests.Blueprints(ctx, referent)
	if err != nil || len(tests) == 0 {
		tb.Fatalf("the demo's test: %v", err)
	}
	st, err := svc.Tests.OpenSitting(ctx, referent, assessment.NewSitting{Blueprint: tests[0].ID, Title: "Sessione nazionale (carico)",
		Opens: now.Add(-time.Minute), Closes: now.Add(24 * time.Hour), Classes: []string{class.ID}, Proctors: []string{proctor.Person}})
	if err != nil {
		tb.Fatal(err)
	}
	out := make([]Candidate, n)
	for i, person := range persons {
		if err := svc.Tests.Authorize(ctx, proctor, st.ID, person); err != nil {
			tb.Fatal(err)
		}
		p := &auth.Principal{Person: person, Name: "Candidato", Membership: auth.Membership{Org: "mitf01000a", Role: auth.Student, OrgKind: auth.School, Provinces: []string{"MI"}}}
		a, err := svc.Tests.Start(ctx, p, st.ID, st.Code)
		if err != nil {
			tb.Fatal(err)
		}
		_, secret, err := svc.Accounts.CreateToken(ctx, p, "carico", []auth.Scope{auth.ScopeRead, auth.ScopeWrite}, 24*time.Hour)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = Candidate{Person: person, Token: secret, Attempt: a}
	}
	return out
}

// Answer is one answer to send.
type Answer struct {
	Candidate int
	Item      string
	Response  item.Response
}

// Plan lists the answers to send: every candidate answers every item of
// their form, rounds times over, wrongly but in the last round, which
// gives the right responses (demo.Correct).
func Plan(cs []Candidate, rounds int) [][]Answer {
	plan := make([][]Answer, len(cs))
	for i, c := range cs {
		for r := range rounds {
			for _, fi := range c.Attempt.Form.Items {
				resp := demo.WrongResponse(fi.Item)
				if r == rounds-1 {
					resp = demo.Correct(fi.Item)
				}
				plan[i] = append(plan[i], Answer{Candidate: i, Item: fi.Item, Response: resp})
			}
		}
	}
	return plan
}

// Stats are a run's figures.
type Stats struct {
	Answers  int
	Elapsed  time.Duration
	P50, P99 time.Duration
	Failures []string
}

// PerSecond is the answers saved per second.
func (s Stats) PerSecond() float64 { return float64(s.Answers) / s.Elapsed.Seconds() }

// Run sends every candidate's answers over HTTP to base, each candidate in
// order, all candidates at once (at most workers requests in flight), and
// measures. A response that is not a saved answer is a failure.
func Run(base string, client *http.Client, cs []Candidate, plan [][]Answer, workers int) Stats {
	type result struct {
		took time.Duration
		fail string
	}
	jobs := make(chan int)
	results := make(chan []result, len(plan))
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				var rs []result
				for _, a := range plan[i] {
					body, _ := json.Marshal(map[string]any{"item": a.Item, "response": a.Response})
					req, _ := http.NewRequest("PUT", base+"/api/v1/attempts/"+cs[i].Attempt.ID+"/answers", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+cs[i].Token)
					req.Header.Set("Content-Type", "application/json")
					t0 := time.Now()
					resp, err := client.Do(req)
					r := result{took: time.Since(t0)}
					if err != nil {
						r.fail = err.Error()
					} else {
						b, _ := io.ReadAll(resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							r.fail = fmt.Sprintf("%d %s", resp.StatusCode, b)
						}
					}
					rs = append(rs, r)
				}
				results <- rs
			}
		}()
	}
	for i := range plan {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(results)
	s := Stats{Elapsed: time.Since(start)}
	var took []time.Duration
	for rs := range results {
		for _, r := range rs {
			took = append(took, r.took)
			if r.fail != "" {
				s.Failures = append(s.Failures, r.fail)
			} else {
				s.Answers++
			}
		}
	}
	slices.Sort(took)
	if len(took) > 0 {
		s.P50, s.P99 = took[len(took)/2], took[min(len(took)-1, len(took)*99/100)]
	}
	return s
}
