package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/people"
)

// The item bank of the online test, for Meccatronica's version 1: items
// written by the national body's working group for the standard's
// activities and evidences, each reviewed and approved by a second person;
// a few left in draft and in review so that the bank's life shows.

// Reviewer is the national body's second person, who reviews the items
// the demo's national account writes; an account with the demo password.
var Reviewer = Account{"revisione@unioncamere.example", "Paolo", "Greco", "unioncamere", auth.NationalAdmin}

// bankItem is an item of the demo bank and where its life stops.
type bankItem struct {
	item.Item
	Status item.Status // draft, in_review or approved
}

// mec fills what every Meccatronica item shares.
func mec(id, competence, ada, result string, dim item.Dimension, diff item.Difficulty, it item.Item) item.Item {
	it.ID, it.Lang, it.Sector, it.Standard = id, "it", "meccatronica", 1
	it.Competence, it.ADA, it.Result, it.Dimension, it.Difficulty = competence, ada, result, dim, diff
	if it.Scoring == "" {
		it.Scoring = item.MatchCorrect
	}
	return it
}

func opts(texts ...string) []item.Choice {
	out := make([]item.Choice, len(texts))
	for i, t := range texts {
		out[i] = item.Choice{ID: string(rune('A' + i)), Text: t}
	}
	return out
}

// Bank is the demo bank.
var Bank = []bankItem{
	{Status: item.Approved, Item: mec("MEC-C1-K01", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Metodo di proiezione europeo", Shuffle: true,
		Prompt:  "Nel disegno tecnico europeo (ISO 128), con quale metodo si dispongono le viste di un pezzo?",
		Choices: opts("Metodo del primo diedro (E)", "Metodo del terzo diedro (A)", "Assonometria isometrica", "Prospettiva centrale"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C1-K02", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Medium, item.Item{
		Kind: item.InlineChoice, Title: "Tolleranza di un foro",
		Prompt: "Completa la frase scegliendo il termine corretto.",
		Before: "Nell'indicazione Ø20 H7, la lettera H indica", After: "del foro.",
		Choices: opts("la posizione della zona di tolleranza", "la rugosità superficiale", "il materiale", "la durezza"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C1-S01", "C1", "ADA.10.02.02", "RA1", item.Skill, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Dalla specifica alla messa in tavola",
		Prompt:  "Metti in ordine le fasi per realizzare il disegno di dettaglio di un particolare con un programma CAD.",
		Choices: opts("Leggere la specifica tecnica del particolare", "Modellare il solido 3D", "Ricavare le viste e le sezioni", "Quotare e indicare le tolleranze", "Compilare il cartiglio e rilasciare il disegno"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: mec("MEC-C1-S02", "C1", "ADA.10.02.02", "RA1", item.Skill, item.Hard, item.Item{
		Kind: item.MultipleChoice, Title: "Quote funzionali", Shuffle: true,
		Prompt:  "Quali di queste indicazioni vanno riportate sul disegno di un albero che monta un cuscinetto? Scegli tutte quelle corrette.",
		Choices: opts("La tolleranza del diametro di accoppiamento", "La rugosità della sede del cuscinetto", "Il nome del fornitore del cuscinetto", "Gli smussi e i raccordi delle battute"),
		Correct: []string{"A", "B", "D"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "B", Points: 1}, {Key: "D", Points: 1}, {Key: "C", Points: -1}}, Lower: ptr(0)}})},
	{Status: item.Approved, Item: mec("MEC-C1-T01", "C1", "ADA.10.02.03", "RA3", item.SoftSkill, item.Easy, item.Item{
		Kind: item.TrueFalse, Title: "Revisioni del disegno",
		Prompt:  "Quando si modifica un disegno già rilasciato, basta salvare il file con lo stesso nome: chi lo usa vedrà la versione nuova.",
		Choices: []item.Choice{{ID: "true", Text: "Vero"}, {ID: "false", Text: "Falso"}},
		Correct: []string{"false"}})},
	{Status: item.Approved, Item: mec("MEC-C1-K03", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Easy, item.Item{
		Kind: item.TextEntry, Title: "Filettatura metrica",
		Prompt: "Scrivi la lettera che indica una filettatura metrica ISO.",
		Before: "Una filettatura metrica di diametro 10 mm si indica con", After: "10.",
		Correct: []string{"M"}, Scoring: item.MapResponse, ExpectedLength: 2,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "M", Points: 1}}}})},
	{Status: item.Approved, Item: mec("MEC-C7-K01", "C7", "ADA.10.02.12", "RA1", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "Linguaggi del PLC",
		Prompt:  "Associa a ciascun linguaggio della norma IEC 61131-3 la sua forma.",
		Choices: []item.Choice{{ID: "LD", Text: "Ladder Diagram"}, {ID: "ST", Text: "Structured Text"}, {ID: "FBD", Text: "Function Block Diagram"}},
		Targets: []item.Choice{{ID: "contacts", Text: "contatti e bobine, come uno schema elettrico"}, {ID: "text", Text: "istruzioni testuali simili al Pascal"}, {ID: "blocks", Text: "blocchi funzionali collegati da linee"}},
		Correct: []string{"LD contacts", "ST text", "FBD blocks"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "LD contacts", Points: 1}, {Key: "ST text", Points: 1}, {Key: "FBD blocks", Points: 1}}}})},
	{Status: item.Review, Item: mec("MEC-C7-S01", "C7", "ADA.10.02.12", "RA3", item.Skill, item.Hard, item.Item{
		Kind: item.SingleChoice, Title: "Collaudo del programma", Shuffle: true,
		Prompt:  "Durante il collaudo, il nastro trasportatore non si ferma quando la fotocellula di fine corsa è oscurata. Che cosa verifichi per primo?",
		Choices: opts("Lo stato dell'ingresso della fotocellula nella tabella di forzamento del PLC", "La tensione di rete dello stabilimento", "La versione del sistema operativo del PC di programmazione", "Il peso del materiale trasportato"),
		Correct: []string{"A"}})},
	{Status: item.Draft, Item: mec("MEC-C11-T01", "C11", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "Proporre un miglioramento", Shuffle: true,
		Prompt:  "Durante il tirocinio noti che un'attrezzatura si potrebbe semplificare. Qual è il modo più appropriato di proporlo?",
		Choices: opts("Preparare uno schizzo con i vantaggi e discuterlo con il tutor aziendale", "Modificare l'attrezzatura da solo in pausa pranzo", "Non dire nulla: non è compito di uno studente", "Scriverlo sui social dell'azienda"),
		Correct: []string{"A"}})},
}

func ptr(f float64) *float64 { return &f }

// loadItems writes the demo bank: the national account writes each item,
// the reviewer approves it (or it stays in review, or in draft).
func loadItems(ctx context.Context, s Services) error {
	if s.Items == nil {
		return nil
	}
	rp, err := s.People.AddMember(ctx, system, Reviewer.Org, people.Person{GivenName: Reviewer.Given, FamilyName: Reviewer.Family, Email: Reviewer.Email}, Reviewer.Role)
	if err != nil {
		return fmt.Errorf("loading the demo item reviewer: %w", err)
	}
	if err := s.Accounts.SetPassword(ctx, rp.ID, Password); err != nil {
		return fmt.Errorf("demo account %s: %w", Reviewer.Email, err)
	}
	author, err := s.People.PrincipalByEmail(ctx, Accounts[0].Email, Accounts[0].Org, Accounts[0].Role)
	if err != nil {
		return err
	}
	reviewer, err := s.People.PrincipalByEmail(ctx, Reviewer.Email, Reviewer.Org, Reviewer.Role)
	if err != nil {
		return err
	}
	for _, b := range Bank {
		v, err := s.Items.Create(ctx, author, b.Item)
		if err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
		if b.Status == item.Draft {
			continue
		}
		if v, err = s.Items.SubmitForReview(ctx, author, v.ID, v.Version); err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
		if b.Status == item.Review {
			continue
		}
		if _, err = s.Items.Review(ctx, reviewer, v.ID, v.Version, true, ""); err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
	}
	return nil
}

// AllAccounts are the demo accounts with the demo password: Accounts and
// Reviewer.
func AllAccounts() []Account { return append(slices.Clone(Accounts), Reviewer) }
