package qti

import (
	"slices"
	"strconv"
	"strings"

	"github.com/attesta/attesta"
	"github.com/attesta/attesta/item"
)

// responseID is the identifier of an item's one response: the templates'.
const responseID = "RESPONSE"

// declaration is how QTI declares the response of a kind: its cardinality
// and base type.
func declaration(k item.Kind) (cardinality, baseType string) {
	switch k {
	case item.MultipleChoice:
		return "multiple", "identifier"
	case item.Ordering:
		return "ordered", "identifier"
	case item.Matching:
		return "multiple", "directedPair"
	case item.TextEntry:
		return "single", "string"
	}
	return "single", "identifier"
}

// templateURI is the response-processing template of a scoring.
func templateURI(s item.Scoring) string {
	if s == item.MapResponse {
		return item.MapResponseURI
	}
	return item.MatchCorrectURI
}

// checkItem refuses what Export cannot write so that Import reads it back.
func checkItem(it *item.Item) error {
	switch {
	case !item.Identifier(it.ID):
		return attesta.E(attesta.Invalid, "err.qti.export.id", it.ID)
	case !slices.Contains(item.Kinds, it.Kind):
		return attesta.E(attesta.Invalid, "err.qti.export.kind", it.ID, string(it.Kind))
	case it.Scoring != item.MatchCorrect && it.Scoring != item.MapResponse:
		return attesta.E(attesta.Invalid, "err.qti.export.scoring", it.ID, string(it.Scoring))
	case !slices.Contains(item.Statuses, it.Status) || it.Version < 1:
		return attesta.E(attesta.Invalid, "err.qti.export.version", it.ID, it.Version, string(it.Status))
	}
	return nil
}

// ItemXML returns it as a qti-assessment-item document, as [Export] puts
// it in a package. The tags QTI has no element for are not in it (they
// are in the package's manifest).
func ItemXML(it *item.Item) ([]byte, error) {
	if err := checkItem(it); err != nil {
		return nil, err
	}
	w := newWriter()
	w.open("qti-assessment-item", "xmlns", ItemNamespace, "xmlns:xsi", xsiNamespace,
		"xsi:schemaLocation", ItemNamespace+" "+itemSchema,
		"identifier", it.ID, "title!", it.Title, "adaptive", "false", "time-dependent", "false", "xml:lang", it.Lang)
	card, base := declaration(it.Kind)
	w.open("qti-response-declaration", "identifier", responseID, "cardinality", card, "base-type", base)
	if len(it.Correct) > 0 {
		w.open("qti-correct-response")
		for _, v := range it.Correct {
			w.leaf("qti-value", v)
		}
		w.close("qti-correct-response")
	}
	if it.Scoring == item.MapResponse && it.Map != nil {
		writeMap(w, it)
	}
	w.close("qti-response-declaration")
	w.open("qti-outcome-declaration", "identifier", "SCORE", "cardinality", "single", "base-type", "float")
	w.open("qti-default-value")
	w.leaf("qti-value", "0")
	w.close("qti-default-value")
	w.close("qti-outcome-declaration")
	w.open("qti-item-body")
	writeBody(w, it)
	w.close("qti-item-body")
	w.empty("qti-response-processing", "template", templateURI(it.Scoring))
	w.close("qti-assessment-item")
	return w.bytes(), nil
}

func writeMap(w *writer, it *item.Item) {
	m := it.Map
	bound := func(p *float64) string {
		if p == nil {
			return ""
		}
		return number(*p)
	}
	w.open("qti-mapping", "default-value!", number(m.Default), "lower-bound", bound(m.Lower), "upper-bound", bound(m.Upper))
	for _, e := range m.Entries {
		cs := ""
		if it.Kind == item.TextEntry {
			cs = strconv.FormatBool(m.CaseSensitive)
		}
		w.empty("qti-map-entry", "map-key!", e.Key, "mapped-value!", number(e.Points), "case-sensitive", cs)
	}
	w.close("qti-mapping")
}

func writeBody(w *writer, it *item.Item) {
	prompt := clean(it.Prompt)
	choices := func(name string, cs []item.Choice, attrs ...string) {
		for _, c := range cs {
			w.inline(name, richXML(clean(c.Text)), append([]string{"identifier", c.ID}, attrs...)...)
		}
	}
	blockPrompt := func() {
		if prompt != "" {
			w.inline("qti-prompt", richXML(prompt))
		}
	}
	shuffle := strconv.FormatBool(it.Shuffle)
	switch it.Kind {
	case item.SingleChoice, item.TrueFalse, item.MultipleChoice:
		maxChoices := "1"
		if it.Kind == item.MultipleChoice {
			maxChoices = "0"
		}
		w.open("qti-choice-interaction", "response-identifier", responseID, "shuffle", shuffle, "max-choices", maxChoices)
		blockPrompt()
		choices("qti-simple-choice", it.Choices)
		w.close("qti-choice-interaction")
	case item.Ordering:
		// attesta always shows an ordering's options shuffled: listed in
		// their correct order, they would give the answer away.
		w.open("qti-order-interaction", "response-identifier", responseID, "shuffle", "true")
		blockPrompt()
		choices("qti-simple-choice", it.Choices)
		w.close("qti-order-interaction")
	case item.Matching:
		n := strconv.Itoa(len(it.Choices))
		w.open("qti-match-interaction", "response-identifier", responseID, "shuffle", shuffle, "max-associations", n)
		blockPrompt()
		w.open("qti-simple-match-set")
		choices("qti-simple-associable-choice", it.Choices, "match-max", "1")
		w.close("qti-simple-match-set")
		w.open("qti-simple-match-set")
		choices("qti-simple-associable-choice", it.Targets, "match-max", n)
		w.close("qti-simple-match-set")
		w.close("qti-match-interaction")
	case item.InlineChoice, item.TextEntry:
		for _, p := range paragraphs(prompt) {
			w.inline("p", lines(p))
		}
		before, after := clean(it.Before), clean(it.After)
		open := "<p>"
		if before != "" {
			open += lines(strings.Split(before, "\n"))
		}
		w.line(open)
		w.depth++
		if it.Kind == item.TextEntry {
			length := ""
			if it.ExpectedLength > 0 {
				length = strconv.Itoa(it.ExpectedLength)
			}
			w.empty("qti-text-entry-interaction", "response-identifier", responseID, "expected-length", length)
		} else {
			w.open("qti-inline-choice-interaction", "response-identifier", responseID, "shuffle", shuffle)
			for _, c := range it.Choices {
				w.leaf("qti-inline-choice", oneLine(c.Text), "identifier", c.ID)
			}
			w.close("qti-inline-choice-interaction")
		}
		// The text after the gap goes on the line of the gap's end tag:
		// "</qti-inline-choice-interaction>." is read back as ".".
		if after != "" {
			w.b.Truncate(w.b.Len() - 1)
			if gapSpace(after) {
				w.b.WriteString(" ")
			}
			w.b.WriteString(lines(strings.Split(after, "\n")) + "\n")
		}
		w.depth--
		w.line("</p>")
	}
}
