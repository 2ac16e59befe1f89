// Package i18n holds every string attesta shows to people, in Italian (the
// default) and English, as message catalogues: one JSON file per language,
// embedded in the binary. Templates never contain text of their own; they
// look messages up by key.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// Default is the language used when nothing else is asked for.
const Default = "it"

// Languages lists the supported languages, the default first.
var Languages = []string{"it", "en"}

//go:embed catalog/*.json
var files embed.FS

var catalogs = load()

func load() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		b, err := files.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			panic("i18n: " + err.Error())
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			panic("i18n: catalog " + lang + ": " + err.Error())
		}
		out[lang] = m
	}
	return out
}

// Keys returns the message keys of a language, sorted.
func Keys(lang string) []string {
	var keys []string
	for k := range catalogs[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// T returns the message key in lang, formatted with args as by
// fmt.Sprintf. A missing key gives a visible marker, and a test makes sure
// there are none.
func T(lang, key string, args ...any) string {
	msg, ok := catalogs[lang][key]
	if !ok {
		msg, ok = catalogs[Default][key]
	}
	if !ok {
		return "‹" + key + "›"
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// verb is a formatting verb of package fmt, or %%.
var verb = regexp.MustCompile(`%(?:%|[-+# 0]*(?:[0-9]+|\*)?(?:\.(?:[0-9]+|\*)?)?[a-zA-Z])`)

// Verbs returns the formatting verbs of a message, in order, %% aside: a
// message must have the same in every language, as its arguments are
// given in order.
func Verbs(msg string) []string {
	var out []string
	for _, v := range verb.FindAllString(msg, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	return out
}

// Has reports whether key is in the catalogue of lang.
func Has(lang, key string) bool {
	_, ok := catalogs[lang][key]
	return ok
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// CookieName is the cookie that remembers a chosen language.
const CookieName = "lang"

// Negotiate picks the language of a request: the one it asks for (see
// [Asked]), else Default.
func Negotiate(r *http.Request) string {
	if l, ok := Asked(r); ok {
		return l
	}
	return Default
}

// Asked returns the supported language a request asks for: the "lang"
// query parameter, then the cookie, then Accept-Language; false if it asks
// for none.
func Asked(r *http.Request) (string, bool) {
	if l := r.URL.Query().Get("lang"); Supported(l) {
		return l, true
	}
	if c, err := r.Cookie(CookieName); err == nil && Supported(c.Value) {
		return c.Value, true
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if Supported(base) {
			return base, true
		}
	}
	return "", false
}
